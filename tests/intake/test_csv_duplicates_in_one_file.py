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


def test_seen_keys_find_old_rows_after_they_leave_the_recent_ones():
    from askfirst.intake.seen import SeenKeys

    seen = SeenKeys()
    for n in range(40_000):
        seen.add(hash(f"k{n}"), n + 2)
    assert seen.stored == 40_000 - len(seen.recent) > 30_000
    assert [seen.get(hash(f"k{n}")) for n in (0, 8191, 8192, 39_999)] == [2, 8193, 8194, 40_001]
    assert seen.get(hash("unknown")) is None


def test_seen_keys_never_match_across_two_stored_keys():
    from askfirst.intake.seen import SeenKeys

    def key(*octets: int) -> int:
        return int.from_bytes(bytes(octets), "little", signed=True)

    # Three keys of one bucket (same top bits); the last is made of the first's
    # second half and the second's first half, so it occurs in the bucket's bytes.
    first = key(1, 2, 3, 4, 5, 6, 0x50, 0x7A)
    second = key(0, 0, 0x50, 0x7A, 0, 0, 0x50, 0x7A)
    straddling = key(5, 6, 0x50, 0x7A, 0, 0, 0x50, 0x7A)
    seen = SeenKeys()
    seen.add(first, 2)
    seen.add(second, 3)
    for n in range(10_000):
        seen.add(hash(f"k{n}"), n + 4)
    assert seen.get(first) == 2 and seen.get(second) == 3
    assert seen.get(straddling) is None


def test_seen_keys_added_after_a_lookup_are_found_too():
    from askfirst.intake.seen import SeenKeys

    seen = SeenKeys()
    seen.add_new((hash(f"k{n}"), n + 2) for n in range(20_000))
    assert seen.get(hash("k5")) == 7  # sorts the rows waiting so far
    seen.add_new((hash(f"k{n}"), n + 2) for n in range(20_000, 40_000))
    assert [seen.get(hash(f"k{n}")) for n in (0, 5, 19_999, 20_000, 39_999)] == [
        2,
        7,
        20_001,
        20_002,
        40_001,
    ]
    assert seen.get(hash("unknown")) is None
