"""Right before sending, the worker re-checks the person: deactivated, answered,
erased or bouncing after the mail was queued → the mail never goes out."""

import pytest

from askfirst.consent.services import Proof, consent_record, contact_deactivate
from askfirst.contacts.models import Contact, Status
from askfirst.contacts.services import contact_erase
from askfirst.lifecycle.services import lifecycle_advance
from askfirst.mail.delivery import mail_deliver
from askfirst.mail.models import Bounce, Outbox, OutboxState
from tests.lifecycle.helpers import asking_contact

pytestmark = pytest.mark.django_db


def test_deactivated_after_queueing_is_never_sent(smtp):
    contact = asking_contact(language="de")
    lifecycle_advance()
    contact_deactivate(contact=contact, proof=Proof(channel="portal"))
    # Deactivating suppresses (and blanks) the queued mail at once ...
    result = mail_deliver(worker_id="w", smtp=smtp.target)
    assert (result.sent, result.suppressed) == (0, 0)
    assert smtp.store.messages() == []
    row = Outbox.objects.get()
    assert row.state == OutboxState.SUPPRESSED and "deactivated" in row.last_error


def test_delivery_itself_checks_the_status(smtp):
    # ... and delivery checks again, whatever changed the status after the mail
    # was queued (here the row directly, as a deactivation racing the claim would).
    contact = asking_contact(language="de")
    lifecycle_advance()
    Contact.objects.filter(pk=contact.pk).update(status=Status.DEACTIVATED)
    result = mail_deliver(worker_id="w", smtp=smtp.target)
    assert (result.sent, result.suppressed) == (0, 1)
    assert smtp.store.messages() == []
    row = Outbox.objects.get()
    assert row.state == OutboxState.SUPPRESSED and "deactivated" in row.last_error


def test_answered_after_queueing_gets_no_reminder(smtp):
    contact = asking_contact(language="de")
    lifecycle_advance()
    consent_record(
        contact=contact, purpose_key="storage", granted=True, proof=Proof(channel="portal")
    )
    assert mail_deliver(worker_id="w", smtp=smtp.target).suppressed == 1
    assert smtp.store.messages() == []


def test_erased_after_queueing_removes_the_mail(smtp):
    contact = asking_contact(language="de")
    lifecycle_advance()
    contact_erase(contact=contact)
    assert Outbox.objects.count() == 0  # CASCADE: the queued mail went with the person
    assert mail_deliver(worker_id="w", smtp=smtp.target).claimed == 0


def test_permanent_rejection_marks_the_address_bouncing(smtp):
    bouncing = asking_contact(language="en")
    other = asking_contact(language="en")
    smtp.store.reject[bouncing.email] = "550 5.1.1 no such user"
    lifecycle_advance()
    result = mail_deliver(worker_id="w", smtp=smtp.target)
    assert (result.sent, result.failed) == (1, 1)
    assert Bounce.objects.get().email_key == bouncing.email_key
    assert Outbox.objects.get(contact=bouncing).state == OutboxState.FAILED
    assert [m["To"] for m in smtp.store.messages()] == [other.email]
    # Later mails to a bouncing address are suppressed, not sent.
    from askfirst.lifecycle.services import portal_link_send

    portal_link_send(contact=bouncing)
    assert mail_deliver(worker_id="w", smtp=smtp.target).suppressed == 1
