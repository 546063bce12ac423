"""After a deactivation no table holds the person's names, company or phone: not the
outbox (finished mails keep metadata, waiting ones are suppressed), not stored import
rejects, not webhook bodies. Only the address stays, where a do-not-contact record and
a pending notice to a connected system need it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from askfirst.consent.ledger import ledger_verify
from askfirst.consent.services import Proof, consent_record, contact_deactivate
from askfirst.contacts.models import Contact, Status
from askfirst.contacts.services import contact_choose_language
from askfirst.hooks.models import Delivery, DeliveryState, Endpoint
from askfirst.intake.admin import upload_import
from askfirst.lifecycle.services import lifecycle_advance
from askfirst.mail.models import DemoMail, Outbox, OutboxState
from askfirst.mail.services import mail_templates_install
from tests.erasure import rows_containing
from tests.factories import make_staff

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "o.r.42@deactivate-me.example"
FIRST = "Ottilie"
LAST = "Rückzugsfeld"
COMPANY = "Schneckenhaus Manufaktur"
PHONE = "+49 221 998877"
NAMES = [FIRST, LAST, COMPANY, PHONE]

# Line 2 creates the person; line 3 repeats them and is rejected; line 4 has their names
# with a mistyped address; line 5 is somebody else's broken row.
CSV = (
    "E-Mail;Vorname;Nachname;Firma;Telefon\r\n"
    f"{EMAIL};{FIRST};{LAST};{COMPANY};{PHONE}\r\n"
    f"{EMAIL.upper()};{FIRST};{LAST};{COMPANY} (neu);{PHONE}\r\n"
    f"o.r.42@@deactivate-me.example;{FIRST};{LAST};{COMPANY};{PHONE}\r\n"
    "kaputt;Karla;Kaputtke;Kaputt AG;0\r\n"
)


def _person_known_everywhere() -> Contact:
    mail_templates_install()
    staff = make_staff()
    upload_import(upload=SimpleUploadedFile("kunden.csv", CSV.encode("utf-8")), user=staff)
    contact = Contact.objects.get(email_key=EMAIL)
    Endpoint.objects.create(name="CRM", url="http://127.0.0.1:9/hook")
    contact = contact_choose_language(contact=contact, language="de", user=staff)
    lifecycle_advance()  # the request mail: "what we store" names them
    request = Outbox.objects.get(contact=contact)
    Outbox.objects.filter(pk=request.pk).update(
        state=OutboxState.SENT, sent_at=timezone.now(), finished_at=timezone.now()
    )
    Contact.objects.filter(pk=contact.pk).update(next_action_at=timezone.now())
    lifecycle_advance()  # a reminder still waiting in the outbox
    DemoMail.objects.create(
        mail_from="askfirst@example.com",
        recipients=EMAIL,
        subject=f"Guten Tag {FIRST} {LAST}",
        text=f"Firma: {COMPANY}",
        raw="",
    )
    contact.refresh_from_db()
    portal = Proof(channel="portal", language="de")
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=portal)
    Delivery.objects.filter(person=contact.pk).update(
        state=DeliveryState.SENT, sent_at=timezone.now(), finished_at=timezone.now()
    )
    return contact


def test_deactivation_leaves_only_the_address():
    contact = _person_known_everywhere()
    before = {table for table, _needle in rows_containing(NAMES)}
    # The scan finds them where the fix must reach.
    assert {"contacts_contact", "mail_outbox", "intake_importrun", "mail_demomail"} <= before
    assert Outbox.objects.filter(contact=contact, state=OutboxState.PENDING).exists()

    contact_deactivate(contact=contact, proof=Proof(channel="portal", language="de"))

    assert rows_containing(NAMES) == []
    contact.refresh_from_db()
    assert contact.status == Status.DEACTIVATED and contact.email == EMAIL
    # The address stays where it must: the do-not-contact record, the outbox's
    # metadata (who was mailed when) and the notice to the CRM still to go out.
    assert {table for table, _needle in rows_containing([EMAIL])} <= {
        "contacts_contact",
        "mail_outbox",
        "hooks_delivery",
    }
    mails = {mail.state: mail for mail in Outbox.objects.filter(contact=contact)}
    assert set(mails) == {OutboxState.SENT, OutboxState.SUPPRESSED}
    assert all(mail.message == "" and mail.recipient == EMAIL for mail in mails.values())
    assert mails[OutboxState.SUPPRESSED].last_error == "contact deactivated"
    # The withdrawal the deactivation recorded still reaches the CRM; what was sent
    # before keeps only metadata.
    pending = Delivery.objects.get(person=contact.pk, state=DeliveryState.PENDING)
    assert '"storage":false' in pending.body and EMAIL in pending.body
    assert Delivery.objects.get(person=contact.pk, state=DeliveryState.SENT).body == ""
    assert list(ledger_verify()) == []
