"""A reminder never goes out to someone who answered a moment before.

PostgreSQL, two connections: the answer and the worker's batch run at the
same time, in both orders. Either the worker never claims the answered
contact, or the mail it queued is suppressed at delivery.
"""

import threading

import pytest
from django.db import connection, connections, transaction

from askfirst.consent.services import Proof, consent_record
from askfirst.contacts.models import Contact, Status
from askfirst.lifecycle import services as lifecycle_services
from askfirst.lifecycle.services import lifecycle_advance
from askfirst.lifecycle.worker import Worker
from askfirst.mail.models import Outbox, OutboxState
from tests.lifecycle.helpers import asking_contact

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks"),
]


def _in_thread(target, *args):
    errors = []

    def run():
        try:
            target(*args)
        except Exception as exc:  # surfaced in the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def _answer(contact):
    consent_record(
        contact=contact, purpose_key="storage", granted=True, proof=Proof(channel="portal")
    )


def test_answer_holding_the_row_is_skipped_then_never_due(smtp):
    contact = asking_contact(language="de")
    other = asking_contact(language="de")
    locked, release = threading.Event(), threading.Event()

    def answer_slowly():
        with transaction.atomic():
            Contact.objects.select_for_update().get(pk=contact.pk)
            locked.set()
            release.wait(10)
            _answer(contact)

    thread, errors = _in_thread(answer_slowly)
    assert locked.wait(10)
    # The worker runs while the answer holds the row: it skips it, sends to the other.
    assert lifecycle_advance().contacts == 1
    release.set()
    thread.join(10)
    assert not errors
    Worker(smtp=smtp.target).run_once()
    assert [m["To"] for m in smtp.store.messages()] == [other.email]
    assert not Outbox.objects.filter(contact=contact).exists()
    assert Contact.objects.get(pk=contact.pk).status == Status.ANSWERED


def test_answer_waiting_on_the_worker_suppresses_the_queued_mail(smtp, monkeypatch):
    contact = asking_contact(language="de")
    claimed, release = threading.Event(), threading.Event()
    real_renderer = lifecycle_services.mail_renderer

    def slow_renderer(**kwargs):
        claimed.set()  # the worker holds the row lock now
        release.wait(10)
        return real_renderer(**kwargs)

    monkeypatch.setattr(lifecycle_services, "mail_renderer", slow_renderer)
    worker_thread, worker_errors = _in_thread(lifecycle_advance)
    assert claimed.wait(10)
    answer_thread, answer_errors = _in_thread(_answer, contact)
    answer_thread.join(0.5)
    assert answer_thread.is_alive()  # waits on the worker's lock
    release.set()
    worker_thread.join(10)
    answer_thread.join(10)
    assert not worker_errors and not answer_errors
    assert Outbox.objects.filter(contact=contact).count() == 1  # queued before the answer
    result = Worker(smtp=smtp.target).run_once()
    assert result.sent == 0
    assert smtp.store.messages() == []
    assert Outbox.objects.get(contact=contact).state == OutboxState.SUPPRESSED
