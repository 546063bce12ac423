"""Blanking a deletion confirmation leaves the erased address in the database files
(SQLite's WAL, PostgreSQL's dead rows) until a scrub. When sending was delayed
past the scrub the erasure asked for, blanking asks for another one; purging a
mail to an erased person does too, purging other mails does not (a scrub is a
VACUUM FULL on PostgreSQL)."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from askfirst.contacts.models import Upkeep
from askfirst.lifecycle.services import lifecycle_advance
from askfirst.lifecycle.worker import Worker
from askfirst.mail.delivery import mail_deliver
from askfirst.mail.models import MailName, Outbox, OutboxState
from askfirst.mail.services import outbox_purge
from tests.erasure import rows_containing, sqlite_files_containing
from tests.lifecycle.helpers import asking_contact
from tests.mail.smtpserver import SmtpServer

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "wendelin.spaetzuender@scrub-me.example"


def _scrub_due():
    return Upkeep.objects.filter(name="scrub").values_list("due_at", flat=True).first()


def test_confirmation_sent_after_the_erasure_scrub_gets_its_own(settings):
    settings.ASKFIRST_SCHEDULE = (timedelta(0), timedelta(minutes=1))  # request, expiry
    settings.ASKFIRST_SCRUB_DELAY = timedelta(hours=1)
    server = SmtpServer()  # down while the person is erased
    start = timezone.now()
    try:
        with time_machine.travel(start, tick=False) as clock:
            asking_contact(language="en", email=EMAIL)
            lifecycle_advance()
            clock.move_to(start + timedelta(minutes=2))
            assert lifecycle_advance().erased == 1  # the confirmation waits in the outbox
            clock.move_to(start + timedelta(hours=2))
            Worker(smtp=server.target).run_once()  # runs the erasure's scrub; SMTP still down
            assert _scrub_due() is None
            assert Outbox.objects.get().recipient == EMAIL

            server.start()
            clock.move_to(start + timedelta(hours=3))
            assert mail_deliver(worker_id="w", smtp=server.target).sent == 1
            row = Outbox.objects.get()
            assert (row.name, row.recipient, row.message) == (MailName.DELETION, "", "")
            assert _scrub_due() == start + timedelta(hours=4)

            clock.move_to(start + timedelta(hours=4, minutes=1))
            Worker(smtp=server.target).run_once()
            assert _scrub_due() is None
    finally:
        server.stop()
    assert rows_containing([EMAIL]) == []
    if connection.vendor == "sqlite":
        assert sqlite_files_containing([EMAIL]) == []


def test_purge_asks_for_a_scrub_only_for_mails_to_erased_people(settings):
    old = timezone.now() - settings.ASKFIRST_MAIL_RETENTION - timedelta(days=1)
    common = {
        "language": "en",
        "text_version": "en:1",
        "message_id": "<x@example.org>",
        "message": f"To: {EMAIL}\r\n\r\nGoodbye.\r\n",
        "created_at": old,
        "finished_at": old,
    }
    # A request to someone still here: its address is in the contact row anyway.
    contact = asking_contact(language="en")
    Outbox.objects.create(
        name=MailName.REQUEST, contact=contact, recipient=contact.email, state="sent", **common
    )
    assert outbox_purge() == 1
    assert _scrub_due() is None
    # A confirmation that failed before the worker blanked such rows as they finish.
    Outbox.objects.create(
        name=MailName.DELETION,
        contact=None,
        recipient=EMAIL,
        state=OutboxState.FAILED,
        last_error=f"550 5.1.1 <{EMAIL}>: no such user",
        **common,
    )
    assert outbox_purge() == 1
    assert _scrub_due() is not None
    assert rows_containing([EMAIL]) == []
