"""The request asks whether we may keep the data (storage). A "no" to another purpose
while that is still open is recorded, but it is no answer to the request: reminders and
expiry go on. A yes or no to storage ends it."""

import pytest

from askfirst.consent.models import ConsentEvent
from askfirst.consent.services import Proof, consent_record
from askfirst.contacts.models import Status
from askfirst.lifecycle.services import lifecycle_advance
from tests.lifecycle.helpers import asking_contact

pytestmark = pytest.mark.django_db

PORTAL = Proof(channel="portal", language="de")


def test_a_newsletter_no_is_recorded_and_the_request_goes_on():
    contact = asking_contact(language="de")
    lifecycle_advance()
    contact.refresh_from_db()
    due = contact.next_action_at
    assert (contact.status, contact.lifecycle_step) == (Status.ASKING, 1)

    [event] = consent_record(contact=contact, purpose_key="newsletter", granted=False, proof=PORTAL)

    assert (event.purpose.key, event.action) == ("newsletter", "withdrawn")
    contact.refresh_from_db()
    assert (contact.status, contact.next_action_at) == (Status.ASKING, due)


@pytest.mark.parametrize("granted", [True, False])
def test_a_storage_answer_ends_it(granted):
    contact = asking_contact(language="de")
    consent_record(contact=contact, purpose_key="storage", granted=granted, proof=PORTAL)
    contact.refresh_from_db()
    assert (contact.status, contact.next_action_at) == (Status.ANSWERED, None)
    assert ConsentEvent.objects.filter(contact=contact).count() == 1
