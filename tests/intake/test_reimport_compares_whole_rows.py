"""A re-import counts the rows it leaves alone from one read of them, and decides every
other row (changed, deactivated, repeated, another source's id) as contact_upsert would."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from askfirst.contacts.models import Contact

from .factories import run, write
from .test_bulk_path_equals_contact_upsert import _state, one_by_one_in_world
from .test_new_contacts_are_stored_a_batch_at_a_time import _csv

pytestmark = pytest.mark.django_db

# Against _world(): stored as they are, with and without empty cells...
UNCHANGED = [
    {"email": "same@example.org", "first_name": "Same"},
    {"email": "ref8@example.org", "source": "connector", "source_ref": "8"},
    {"email": "taken@example.org", "source": "form"},
]
# ...and rows each of which needs a closer look.
OTHERS = [
    {"email": "SAME@example.org", "first_name": "Same"},  # the address in other case
    {"email": "changed@example.org", "city": "Wien"},
    {"email": "gone@example.org"},  # deactivated, and nothing but the address given
    {"email": "crm@example.org", "source": "connector", "source_ref": "41"},  # api's contact
    {"email": "ref9@example.org", "source": "connector", "source_ref": "99"},  # a new id
    {"email": "clash@example.org", "source": "connector", "source_ref": "10"},  # another's id
    {"email": "brand-new@example.org", "kind": "customer"},
]


@pytest.mark.parametrize("batch", [1, 3, 100])
def test_same_outcome_as_contact_upsert(tmp_path, batch):
    rows = [UNCHANGED[0], *OTHERS[:2], UNCHANGED[1], *OTHERS[2:], UNCHANGED[2], UNCHANGED[0]]
    # The last row repeats the first exactly: a duplicate in the file, even
    # though it matches what is stored. (The second repeats it in other case.)
    reference = [row for n, row in enumerate(rows) if n not in {1, len(rows) - 1}]
    expected, expected_state = one_by_one_in_world(reference)
    path = write(tmp_path, _csv(rows))
    with override_settings(ASKFIRST_IMPORT_BATCH=batch):
        out = run(path)
    summary = out.splitlines()[0]
    assert summary == (
        f"created: {expected.count('created')}, updated: {expected.count('updated')}, "
        f"unchanged: {expected.count('unchanged')}, skipped (deactivated): 1, "
        f"rejected: {expected.count('conflict') + 2}"
    ), (summary, expected)
    assert expected.count("unchanged") >= 3
    assert "line 3: duplicate of line 2" in out
    assert f"line {len(rows) + 1}: duplicate of line 2" in out
    assert _state() == expected_state


@override_settings(ASKFIRST_IMPORT_BATCH=500)
def test_an_unchanged_file_is_read_once_and_written_never(tmp_path):
    rows = [
        {"email": f"p{n}@example.de", "first_name": f"P{n}", "city": "" if n % 3 else "Köln"}
        for n in range(1000)
    ]
    path = write(tmp_path, _csv(rows))
    run(path)
    before = _state()
    with CaptureQueriesContext(connection) as queries:
        out = run(path)
    assert out.startswith("created: 0, updated: 0, unchanged: 1000,")
    sql = [q["sql"] for q in queries.captured_queries]
    # One attempt to insert the first batch as new (it clashes and is rolled
    # back); no UPDATE, no further INSERT.
    assert [q for q in sql if "INSERT INTO" in q or "UPDATE " in q or "COPY " in q] == [
        q for q in sql if "INSERT INTO" in q or "COPY " in q
    ][:1]
    # Two batches of 500, each read with one statement (up to 900 addresses).
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if "FROM" in q["sql"] and "contacts_contact" in q["sql"]
    ]
    assert len(reads) == 2, reads
    assert _state() == before
    assert Contact.objects.count() == 1000
