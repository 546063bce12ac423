"""SMTP down for a while: mails wait (retry with backoff), nothing is lost, and
once the server is back every mail arrives exactly once."""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from askfirst.lifecycle.services import lifecycle_advance
from askfirst.mail.delivery import mail_deliver
from askfirst.mail.models import Outbox, OutboxState
from tests.lifecycle.helpers import asking_contact
from tests.mail.smtpserver import SmtpServer

pytestmark = pytest.mark.django_db

COUNT = 30


def test_outage_then_recovery_delivers_each_mail_once(settings):
    settings.ASKFIRST_WORKER_BATCH = 7
    server = SmtpServer()  # not started yet: connection refused
    addresses = {asking_contact(language="en").email for _ in range(COUNT)}
    while lifecycle_advance().contacts:
        pass
    assert Outbox.objects.count() == COUNT

    now = timezone.now()
    for minute in range(0, 12, 3):  # down for a while: several passes fail
        with time_machine.travel(now + timedelta(minutes=minute), tick=False):
            while mail_deliver(worker_id="w", smtp=server.target).claimed:
                pass
    # Nothing sent, nothing failed, no attempt used: the failures were the connection's.
    waiting = set(Outbox.objects.values_list("state", "attempts"))
    assert waiting <= {(OutboxState.PENDING, 0), (OutboxState.RETRY, 0)}
    assert Outbox.objects.filter(last_error__contains="Connection").count() >= 1

    server.start()
    try:
        with time_machine.travel(now + timedelta(days=1), tick=False):
            while mail_deliver(worker_id="w", smtp=server.target).claimed:
                pass
        received = Counter(m["To"] for m in server.store.messages())
    finally:
        server.stop()
    assert set(received) == addresses
    assert set(received.values()) == {1}
    assert Counter(Outbox.objects.values_list("state", flat=True)) == {OutboxState.SENT: COUNT}


def test_temporary_rejection_is_retried_later(smtp, settings):
    contact = asking_contact(language="de")
    smtp.store.reject[contact.email] = "451 try again later"
    lifecycle_advance()
    result = mail_deliver(worker_id="w", smtp=smtp.target)
    assert (result.sent, result.retry) == (0, 1)
    row = Outbox.objects.get()
    assert row.state == OutboxState.RETRY and row.attempts == 1
    assert row.next_attempt_at > timezone.now()
    assert mail_deliver(worker_id="w", smtp=smtp.target).claimed == 0  # not yet due
    del smtp.store.reject[contact.email]
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1), tick=False):
        assert mail_deliver(worker_id="w", smtp=smtp.target).sent == 1
    assert len(smtp.store.messages()) == 1


def test_after_max_attempts_the_mail_is_failed(smtp, settings):
    settings.ASKFIRST_MAIL_MAX_ATTEMPTS = 3
    contact = asking_contact(language="de")
    smtp.store.reject[contact.email] = "451 try again later"
    lifecycle_advance()
    moment = timezone.now()
    for _ in range(5):
        moment += timedelta(days=1)
        with time_machine.travel(moment, tick=False):
            mail_deliver(worker_id="w", smtp=smtp.target)
    row = Outbox.objects.get()
    assert (row.state, row.attempts) == (OutboxState.FAILED, 3)
    assert "451" in row.last_error


def test_sending_row_of_a_dead_worker_is_reclaimed(smtp, settings):
    """The bounded duplicate: a claim whose worker died is taken up after the timeout."""
    asking_contact(language="de")
    lifecycle_advance()
    Outbox.objects.update(
        state=OutboxState.SENDING, claimed_at=timezone.now(), claimed_by="dead-worker"
    )
    assert mail_deliver(worker_id="w", smtp=smtp.target).claimed == 0
    later = timezone.now() + settings.ASKFIRST_MAIL_SENDING_TIMEOUT + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert mail_deliver(worker_id="w", smtp=smtp.target).sent == 1
