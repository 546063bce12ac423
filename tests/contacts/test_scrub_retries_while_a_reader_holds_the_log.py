"""SQLite: a reader holding the write-ahead log keeps an erased person's old pages in it;
the scrub says so, a retry is due within a minute, and that retry removes them."""

import sqlite3
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from askfirst.contacts.models import Upkeep
from askfirst.contacts.services import SCRUB_RETRY, contact_erase, database_scrub
from askfirst.lifecycle.worker import Worker
from tests.erasure import sqlite_files_containing
from tests.factories import make_contact

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'sqlite'"),
]

NEEDLES = ["wal.reader@erase-me.example", "Unkenrufer"]


def _reader() -> sqlite3.Connection:
    """Another connection inside a read transaction: its snapshot pins the log."""
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN")
    other.execute("SELECT count(*) FROM contacts_contact").fetchone()
    return other


def _due_at():
    return Upkeep.objects.get(name="scrub").due_at


def test_a_busy_checkpoint_schedules_a_prompt_retry(settings):
    settings.ASKFIRST_SCRUB_DELAY = timedelta(hours=1)
    contact = make_contact(email=NEEDLES[0], last_name=NEEDLES[1])
    reader = _reader()
    try:
        before = timezone.now()
        contact_erase(contact=contact)  # its own checkpoint meets the reader

        assert sqlite_files_containing(NEEDLES)  # still in the log
        assert before < _due_at() <= timezone.now() + SCRUB_RETRY  # not the 1 h default
        assert database_scrub() is False  # the reader is still there
    finally:
        reader.close()

    assert database_scrub() is True
    assert sqlite_files_containing(NEEDLES) == []


def test_the_worker_runs_the_retry(settings):
    settings.ASKFIRST_SCRUB_DELAY = timedelta(hours=1)
    contact = make_contact(email=NEEDLES[0], last_name=NEEDLES[1])
    reader = _reader()
    try:
        contact_erase(contact=contact)
    finally:
        reader.close()
    assert sqlite_files_containing(NEEDLES)

    with time_machine.travel(timezone.now() + SCRUB_RETRY + timedelta(seconds=1)):
        Worker().run_once()

    assert _due_at() is None
    assert sqlite_files_containing(NEEDLES) == []
