"""SQLite: a reminder never goes out to someone who answered a moment before.

SQLite has no row locks; every transaction is `BEGIN IMMEDIATE` behind one
writer lock (askfirst/sqlite/base.py), so an answer and a worker batch never
overlap: whichever starts second waits, then sees what the first committed.
Two threads with their own connections, in both orders:

* the answer first: the worker's batch waits for it, then does not claim the
  answered contact at all;
* the worker first: the answer waits for the batch, which has queued the mail;
  delivery then sees the answer and suppresses it.

(tests/lifecycle/test_answer_races_the_worker.py shows the same on PostgreSQL,
where row locks and SKIP LOCKED do it.)
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
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's writer lock"),
]


def _in_thread(target, *args):
    """Run in a thread with its own connection; returns (thread, errors, results)."""
    errors: list[Exception] = []
    results: list[object] = []

    def run():
        try:
            results.append(target(*args))
        except Exception as exc:  # surfaced in the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors, results


def _answer(contact):
    consent_record(
        contact=contact, purpose_key="storage", granted=True, proof=Proof(channel="portal")
    )


def test_answer_first_the_waiting_worker_never_claims_the_contact(smtp):
    contact = asking_contact(language="de")
    other = asking_contact(language="de")
    begun, release = threading.Event(), threading.Event()

    def answer_slowly():
        with transaction.atomic():  # BEGIN IMMEDIATE: the writer lock is ours
            begun.set()
            release.wait(10)
            _answer(contact)

    answer_thread, answer_errors, _ = _in_thread(answer_slowly)
    assert begun.wait(10)
    worker_thread, worker_errors, advanced = _in_thread(lifecycle_advance)
    worker_thread.join(0.5)
    assert worker_thread.is_alive()  # waits for the answer's transaction
    release.set()
    answer_thread.join(10)
    worker_thread.join(10)
    assert not answer_errors and not worker_errors

    assert advanced[0].contacts == 1  # only the other one
    assert not Outbox.objects.filter(contact=contact).exists()
    Worker(smtp=smtp.target).run_once()
    assert [m["To"] for m in smtp.store.messages()] == [other.email]
    assert Contact.objects.get(pk=contact.pk).status == Status.ANSWERED


def test_worker_first_the_waiting_answer_gets_its_mail_suppressed(smtp, monkeypatch):
    contact = asking_contact(language="de")
    claimed, release = threading.Event(), threading.Event()
    real_renderer = lifecycle_services.mail_renderer

    def slow_renderer(**kwargs):
        claimed.set()  # the batch has claimed the contact, inside its transaction
        release.wait(10)
        return real_renderer(**kwargs)

    monkeypatch.setattr(lifecycle_services, "mail_renderer", slow_renderer)
    worker_thread, worker_errors, _ = _in_thread(lifecycle_advance)
    assert claimed.wait(10)
    answer_thread, answer_errors, _ = _in_thread(_answer, contact)
    answer_thread.join(0.5)
    assert answer_thread.is_alive()  # waits for the batch's transaction
    release.set()
    worker_thread.join(10)
    answer_thread.join(10)
    assert not worker_errors and not answer_errors

    assert Outbox.objects.filter(contact=contact).count() == 1  # queued before the answer
    assert Contact.objects.get(pk=contact.pk).status == Status.ANSWERED
    result = Worker(smtp=smtp.target).run_once()
    assert result.sent == 0
    assert smtp.store.messages() == []
    assert Outbox.objects.get(contact=contact).state == OutboxState.SUPPRESSED
