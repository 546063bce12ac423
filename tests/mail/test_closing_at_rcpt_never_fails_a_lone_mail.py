"""A 421 is the server's state, wherever it comes: at RCPT too (smtplib reports
it as SMTPRecipientsRefused, which is no SMTPResponseException). And a
connection that breaks with a mail in hand counts against that mail only when
the server answered other mails on it first. So the only mail queued — even a
deletion confirmation, which would be blanked if failed — outlives an outage of
any length and is delivered once the server accepts it."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from askfirst.lifecycle.services import lifecycle_advance
from askfirst.mail.delivery import mail_deliver
from askfirst.mail.models import MailName, Outbox, OutboxState
from tests.lifecycle.helpers import asking_contact

pytestmark = pytest.mark.django_db

MAX_ATTEMPTS = 3
HOURS = 3  # far more pauses than MAX_ATTEMPTS
SCHEDULE = (timedelta(0), timedelta(minutes=1))  # request, then expiry a minute later


def _loop(smtp, start, minutes):
    with time_machine.travel(start, tick=False) as clock:
        for minute in range(minutes):
            clock.move_to(start + timedelta(minutes=minute))
            result = mail_deliver(worker_id="w", smtp=smtp.target)
            assert result.failed == 0
            row = Outbox.objects.get()
            assert row.state != OutboxState.FAILED
            assert row.attempts == 0
            assert row.recipient and row.message


def _until_delivered(smtp, start):
    with time_machine.travel(start, tick=False) as clock:
        for minute in range(20):
            clock.move_to(start + timedelta(minutes=minute))
            mail_deliver(worker_id="w", smtp=smtp.target)
    return Outbox.objects.get()


def _outage(smtp, address, how):
    if how == "421 at RCPT":
        smtp.store.reject[address] = "421 4.3.2 Service shutting down, try later"
    else:
        smtp.store.drop_for = {address}


def _over(smtp):
    smtp.store.reject.clear()
    smtp.store.drop_for = set()


@pytest.mark.parametrize("how", ["421 at RCPT", "connection breaks"])
def test_lone_mail_outlives_the_outage(smtp, settings, how):
    settings.ASKFIRST_MAIL_MAX_ATTEMPTS = MAX_ATTEMPTS
    contact = asking_contact(language="en")
    lifecycle_advance()
    _outage(smtp, contact.email, how)
    start = timezone.now()
    _loop(smtp, start, HOURS * 60)
    _over(smtp)
    row = _until_delivered(smtp, start + timedelta(hours=HOURS))
    assert (row.state, row.attempts) == (OutboxState.SENT, 1)
    assert [m["To"] for m in smtp.store.messages()] == [contact.email]


@pytest.mark.parametrize("how", ["421 at RCPT", "connection breaks"])
def test_lone_deletion_confirmation_is_neither_failed_nor_blanked(smtp, settings, how):
    settings.ASKFIRST_SCHEDULE = SCHEDULE
    settings.ASKFIRST_MAIL_MAX_ATTEMPTS = MAX_ATTEMPTS
    email = "erased.person@example.org"
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        asking_contact(language="en", email=email)
        lifecycle_advance()
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        assert lifecycle_advance().erased == 1
    assert Outbox.objects.get().name == MailName.DELETION
    _outage(smtp, email, how)
    _loop(smtp, start + timedelta(minutes=3), HOURS * 60)
    _over(smtp)
    row = _until_delivered(smtp, start + timedelta(hours=HOURS, minutes=3))
    assert row.state == OutboxState.SENT
    assert (row.recipient, row.message) == ("", "")  # blanked once sent, as always
    assert [m["To"] for m in smtp.store.messages()] == [email]
