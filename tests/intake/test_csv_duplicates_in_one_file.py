"""The same address twice in one file: the first occurrence wins, the rest are named."""

import pytest
from django.test import override_settings

from askfirst.contacts.models import Contact

from .factories import rejects, run, write

pytestmark = pytest.mark.django_db


def test_first_occurrence_wins_in_any_case(tmp_path):
    text = (
        "email,first name\nanna@example.org,First\nbob@example.org,Bob\nANNA@Example.ORG,Second\n"
    )
    path = write(tmp_path, text)
    out = run(path)
    assert "line 4: duplicate of line 2" in out
    assert Contact.objects.get(email_key="anna@example.org").first_name == "First"
    assert rejects(path)[0]["first name"] == "Second"


@override_settings(ASKFIRST_IMPORT_BATCH=2)
def test_duplicates_across_batches(tmp_path):
    lines = [f"p{n}@example.org,P{n}" for n in range(7)] + ["p1@example.org,Again"]
    path = write(tmp_path, "email,first name\n" + "\n".join(lines) + "\n")
    out = run(path)
    assert "created: 7" in out and "line 9: duplicate of line 3" in out
    assert Contact.objects.get(email_key="p1@example.org").first_name == "P1"


def test_same_source_id_twice_is_a_duplicate(tmp_path):
    text = "email,id\na@example.org,7\nb@example.org,7\n"
    out = run(write(tmp_path, text))
    assert "line 3: duplicate of line 2" in out
    assert Contact.objects.get().email == "a@example.org"


def test_seen_keys_find_old_rows_after_merges():
    from askfirst.intake.seen import SeenKeys

    seen = SeenKeys()
    for n in range(40_000):
        seen.add(hash(f"k{n}"), n + 2)
    assert len(seen.levels) <= 3
    assert [seen.get(hash(f"k{n}")) for n in (0, 8191, 8192, 39_999)] == [2, 8193, 8194, 40_001]
    assert seen.get(hash("unknown")) is None
