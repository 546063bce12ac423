"""A batch of new contacts is written at once, without a lookup; any known row among
them sends the batch the careful way, with the same outcome as contact_upsert row by row."""

import csv
import io

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from askfirst.contacts.models import Contact

from .factories import run, write
from .test_bulk_path_equals_contact_upsert import ROWS, _state, one_by_one_in_world

pytestmark = pytest.mark.django_db

HEADER = ["email", "first name", "last name", "country", "city", "kind", "source", "id", "language"]
KEYS = ["email", "first_name", "last_name", "country", "city", "kind", "source", "source_ref",
        "source_language"]  # fmt: skip


def _csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row.get(key, "") for key in KEYS])
    return out.getvalue()


def _contact_lookups(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and "email_key" in q["sql"]]


@override_settings(ASKFIRST_IMPORT_BATCH=3)
def test_a_file_of_new_contacts_looks_nothing_up(tmp_path):
    rows = [
        {"email": f"p{n}@example.de", "first_name": f"P{n}", "source_ref": str(n)} for n in range(7)
    ]
    path = write(tmp_path, _csv(rows))
    with CaptureQueriesContext(connection) as queries:
        out = run(path)
    assert "created: 7, updated: 0" in out
    assert _contact_lookups(queries.captured_queries) == []
    stored = Contact.objects.order_by("email").values_list("email", "suggested_language")
    assert list(stored)[:2] == [("p0@example.de", "de"), ("p1@example.de", "de")]


@pytest.mark.parametrize("batch", [1, 2, 4, 100])
def test_known_rows_among_new_ones_end_as_contact_upsert_would(tmp_path, batch):
    # Every row a different contact (a repeat in the file is a duplicate there).
    rows = [row for row in ROWS if row["email"] != "SAME@example.org"]
    rows[4:4] = [{"email": f"fresh{n}@example.org", "city": "Bonn"} for n in range(5)]
    expected, expected_state = one_by_one_in_world(rows)
    path = write(tmp_path, _csv(rows))
    with override_settings(ASKFIRST_IMPORT_BATCH=batch):
        out = run(path)
    counts = {name: expected.count(name) for name in ("created", "updated", "unchanged")}
    summary = out.splitlines()[0]
    assert summary.startswith(
        f"created: {counts['created']}, updated: {counts['updated']}, "
        f"unchanged: {counts['unchanged']}, skipped (deactivated): 1, "
        f"rejected: {expected.count('conflict')}"
    ), (summary, expected)
    assert _state() == expected_state


@override_settings(ASKFIRST_IMPORT_BATCH=4)
def test_a_repeat_inside_a_batch_is_still_a_duplicate(tmp_path):
    rows = [
        {"email": "a@example.org"},
        {"email": "b@example.org", "source_ref": "5"},
        {"email": "A@EXAMPLE.org"},
        {"email": "c@example.org", "source_ref": "5"},
    ]
    out = run(write(tmp_path, _csv(rows)))
    assert "created: 2" in out
    assert "line 4: duplicate of line 2" in out and "line 5: duplicate of line 3" in out
