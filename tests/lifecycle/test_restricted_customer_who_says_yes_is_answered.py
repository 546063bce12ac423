"""A customer restricted at expiry who then says yes to storage is answered.

Under ASKFIRST_CUSTOMER_EXPIRY=restrict a customer who never answered is kept
under another legal basis and flagged for staff review (PRODUCT.md §3). The
links of the last mails stay valid for ASKFIRST_TOKEN_MARGIN after expiry: a
"yes" given through one of them, or in the portal, makes consent the basis
again, so the contact is answered and no longer flagged. A "no" changes
nothing about the restriction.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from askfirst.consent.models import Purpose
from askfirst.consent.services import Proof, consent_record, consent_text_current
from askfirst.contacts.models import Contact, Status
from askfirst.lifecycle.reports import restricted_count
from askfirst.lifecycle.worker import Worker
from tests.lifecycle.helpers import asking_contact, links, yes_form

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AFTER_EXPIRY = START + timedelta(days=32)  # day 30 expiry, links valid until day 44


@pytest.fixture
def restricted(smtp, settings):
    """(contact, links of the last reminder): a customer the worker restricted."""
    settings.ASKFIRST_CUSTOMER_EXPIRY = "restrict"
    with time_machine.travel(START, tick=False) as clock:
        contact = asking_contact(language="en", kind="customer")
        worker = Worker(smtp=smtp.target)
        for offset in settings.ASKFIRST_SCHEDULE:
            clock.move_to(START + offset)
            worker.run_once()
    contact.refresh_from_db()
    assert contact.status == Status.RESTRICTED
    assert restricted_count() == 1
    return contact, links(smtp.store.to(contact.email)[-1])


def _answered(contact: Contact) -> None:
    contact.refresh_from_db()
    assert contact.status == Status.ANSWERED
    assert contact.next_action_at is None
    assert restricted_count() == 0


def test_yes_through_a_link_still_valid(restricted, client):
    contact, tokens = restricted
    with time_machine.travel(AFTER_EXPIRY):
        response = client.post(tokens["yes"], yes_form("en"))
    assert response.status_code == 200
    assert b"We have recorded your consent" in response.content
    _answered(contact)


def test_a_no_keeps_the_restriction_a_later_yes_in_the_portal_ends_it(restricted, client):
    contact, tokens = restricted
    consent_record(
        contact=contact,
        purpose_key="storage",
        granted=False,
        proof=Proof(channel="portal", language="en"),
    )
    contact.refresh_from_db()
    assert contact.status == Status.RESTRICTED
    assert restricted_count() == 1

    storage = Purpose.objects.get(key="storage")
    text = consent_text_current(purpose=storage, language="en")
    with time_machine.travel(AFTER_EXPIRY):
        entered = client.get(tokens["portal"], follow=True)
        assert entered.status_code == 200
        response = client.post(
            "/portal/consent/", {"purpose": "storage", "decision": "grant", "text": text.pk}
        )
    assert response.status_code == 303
    _answered(contact)
