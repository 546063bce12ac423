"""PostgreSQL keeps a deleted row's bytes until the table is rewritten: `scrub` does that."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from askfirst.contacts.services import contact_erase
from tests.factories import make_contact

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
]

NEEDLE = "Quappenhueter"


def _relation_files() -> list[Path]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        data_directory = Path(cursor.fetchone()[0])
        cursor.execute("CHECKPOINT")
        cursor.execute(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 't')"
        )
        return [data_directory / row[0] for row in cursor.fetchall() if row[0]]


def _files_with_needle() -> list[Path]:
    return [
        path for path in _relation_files() if path.exists() and NEEDLE.encode() in path.read_bytes()
    ]


def test_scrub_rewrites_tables_so_erased_bytes_are_gone():
    files = _relation_files()
    if not files or not files[0].parent.exists():
        pytest.skip("the PostgreSQL data directory is not readable from here")
    contact = make_contact(last_name=NEEDLE, email=f"{NEEDLE.lower()}@example.org")
    contact_erase(contact=contact)
    assert _files_with_needle()  # deleted, but the bytes are still in the heap file

    call_command("scrub")

    assert _files_with_needle() == []
