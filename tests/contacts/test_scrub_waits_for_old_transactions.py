"""A transaction older than an erasure keeps its rows alive: scrub says so and tries again."""

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from askfirst.contacts.models import Upkeep
from askfirst.contacts.services import contact_erase
from tests.contacts.test_scrub_removes_dead_rows_from_postgres_files import (
    _files_with_needle,
    _relation_files,
)
from tests.factories import make_contact

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
]


def _other_connection():
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
    )


def test_scrub_reschedules_while_an_old_transaction_sees_the_rows(capsys):
    if not _relation_files()[0].parent.exists():
        pytest.skip("the PostgreSQL data directory is not readable from here")
    contact = make_contact(last_name="Quappenhueter", email="quappe@example.org")
    with _other_connection() as other:
        other.execute("SELECT txid_current()")  # holds a transaction id until commit
        contact_erase(contact=contact)
        Upkeep.objects.filter(name="scrub").update(due_at=None)

        call_command("scrub")

        assert "still visible to an open transaction" in capsys.readouterr().err
        assert Upkeep.objects.get(name="scrub").due_at is not None
        assert _files_with_needle()
    # The old transaction has ended: the next scrub gets them.
    call_command("scrub")
    assert _files_with_needle() == []
