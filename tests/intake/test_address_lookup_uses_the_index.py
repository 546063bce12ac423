"""The import's address lookup probes the unique index on PostgreSQL, at any table size.

PostgreSQL's cost model prices several hundred index probes above a scan of a
table of up to ~100,000 rows, so mid-import each batch's lookup scanned the
whole growing table. A table of a few hundred rows shows the same choice.
"""

import pytest
from django.db import connection

from askfirst.contacts import bulk
from askfirst.contacts.inputs import parse_contact
from tests.factories import make_contact

pytestmark = pytest.mark.django_db


def _plan(keys):
    where, params = bulk._in("email_key", keys)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN SELECT id FROM contacts_contact WHERE {where}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def table():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner choice")
    for n in range(300):
        make_contact(email=f"known{n}@example.org")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contacts_contact")
    return [f"probe{n}@example.org" for n in range(900)]


def test_left_alone_the_planner_scans_the_table(table):
    assert "Seq Scan" in _plan(table)


def test_the_lookup_probes_the_index_and_resets_the_setting(table):
    with bulk._index_probes():
        assert "Seq Scan" not in _plan(table)
        assert "contact_unique_email_key" in _plan(table)
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"


def test_known_addresses_are_found():
    make_contact(email="Found@Example.org", first_name="F")
    inputs = [
        parse_contact({"email": email}, default_source="import")
        for email in ("found@example.org", "new@example.org")
    ]
    known = bulk.contacts_known(inputs=inputs)
    assert list(known.by_key) == ["found@example.org"]
