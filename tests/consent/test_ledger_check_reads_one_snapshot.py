"""An answer committed while the ledger check reads its streams is not reported as
tampering: contacts, events and states are read from one snapshot."""

import threading

import pytest
from django.db import connection

from askfirst.consent import ledger
from askfirst.consent.ledger import ledger_verify
from askfirst.consent.services import Proof, consent_record
from tests.factories import make_contact

pytestmark = pytest.mark.django_db(transaction=True)

PORTAL = Proof(channel="portal", language="en")


def test_an_answer_committed_between_the_reads_is_no_problem(monkeypatch):
    contact = make_contact()
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    original = ledger._ByContact.__init__
    answered: list[BaseException | None] = []

    def answer() -> None:
        try:
            consent_record(contact=contact, purpose_key="newsletter", granted=True, proof=PORTAL)
            answered.append(None)
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            answered.append(exc)
        finally:
            connection.close()

    def between(self, rows, contact_of):
        original(self, rows, contact_of)
        if not answered:  # after the contacts and the events, before the states
            thread = threading.Thread(target=answer)
            thread.start()
            thread.join()

    monkeypatch.setattr(ledger._ByContact, "__init__", between)

    assert list(ledger_verify()) == []
    assert answered == [None]  # it did land, in between
    assert list(ledger_verify()) == []
