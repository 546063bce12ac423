"""Two answers for the same person at once both land, chained in order, without error."""

import threading

import pytest
from django.db import connection

from askfirst.consent.ledger import ledger_verify
from askfirst.consent.models import ConsentEvent
from askfirst.consent.services import Proof, consent_record, consent_states
from tests.factories import make_contact

pytestmark = pytest.mark.django_db(transaction=True)

PORTAL = Proof(channel="portal", language="en")


def test_parallel_answers_are_chained_one_after_the_other():
    contact = make_contact()
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def answer(purpose_key: str) -> None:
        try:
            start.wait()
            consent_record(contact=contact, purpose_key=purpose_key, granted=True, proof=PORTAL)
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=answer, args=(key,))
        for key in ("newsletter", "tracking", "extranet", "newsletter")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert consent_states(contact=contact) == {
        "storage": True,
        "newsletter": True,
        "tracking": True,
        "extranet": True,
    }
    seqs = list(ConsentEvent.objects.filter(contact=contact).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) == 4
    assert list(ledger_verify()) == []
