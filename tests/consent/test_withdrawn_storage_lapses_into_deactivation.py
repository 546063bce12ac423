"""Storage consent withdrawn and no choice made (the portal tab closed, a staff or API
"no"): after ASKFIRST_WITHDRAWN_GRACE the worker deactivates the contact. A yes to
storage within the grace stops it; a person who deleted themselves is simply gone."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from askfirst.api.models import ApiKey
from askfirst.consent.lapse import withdrawn_deactivate
from askfirst.consent.ledger import ledger_verify
from askfirst.consent.models import ConsentEvent, ConsentState, Purpose
from askfirst.consent.services import Proof, consent_record, consent_text_current
from askfirst.contacts.models import PERSONAL_FIELDS, Contact, Kind, Status
from askfirst.contacts.services import contact_erase
from askfirst.lifecycle.worker import Worker
from tests.factories import make_contact, make_staff
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db

GRACE = timedelta(days=7)


@pytest.fixture(autouse=True)
def _grace(settings):
    settings.ASKFIRST_WITHDRAWN_GRACE = GRACE
    settings.ASKFIRST_PORTAL_LINK_FLOOR = 0.0


def _person(**fields) -> Contact:
    return make_contact(
        first_name="Klara",
        last_name="Zögerlich",
        company="Zauderwerk",
        phone="+49 30 555",
        **fields,
    )


def _portal_post(client, purpose: str, decision: str):
    text = consent_text_current(purpose=Purpose.objects.get(key=purpose), language="en")
    return client.post(
        "/portal/consent/",
        {"purpose": purpose, "decision": decision, "text": text.pk if text else ""},
    )


def _withdraw_in_the_portal(contact: Contact) -> Client:
    client = Client()
    enter(client, contact)
    _portal_post(client, "storage", "grant")
    _portal_post(client, "newsletter", "grant")
    response = _portal_post(client, "storage", "withdraw")
    # The portal offers deactivate or delete; the person closes the tab.
    assert response["Location"] == "/portal/leave/"
    return client


def _deadline(contact: Contact):
    return ConsentState.objects.get(contact=contact, purpose__key="storage").deactivate_at


def _assert_deactivated(contact: Contact) -> None:
    contact.refresh_from_db()
    assert contact.status == Status.DEACTIVATED
    assert all(getattr(contact, name) == "" for name in PERSONAL_FIELDS)
    assert contact.email  # the do-not-contact record
    assert not ConsentState.objects.filter(deactivate_at__isnull=False).exists()
    assert list(ledger_verify()) == []


def test_withdrawal_in_the_portal_then_silence_deactivates_after_the_grace():
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        contact = _person()
        _withdraw_in_the_portal(contact)
        assert _deadline(contact) == start + GRACE
        events_before = ConsentEvent.objects.filter(contact=contact).count()

        clock.move_to(start + GRACE - timedelta(minutes=1))
        assert withdrawn_deactivate() == 0
        contact.refresh_from_db()
        assert contact.status == Status.ANSWERED and contact.first_name == "Klara"

        clock.move_to(start + GRACE + timedelta(minutes=1))
        result = Worker(worker_id="w").run_once()

    assert result.deactivated == 1
    _assert_deactivated(contact)
    # Storage was withdrawn already: the ledger has nothing new to prove.
    assert ConsentEvent.objects.filter(contact=contact).count() == events_before


def test_consenting_again_within_the_grace_keeps_the_contact():
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        contact = _person()
        _withdraw_in_the_portal(contact)
        clock.move_to(start + timedelta(days=2))
        client = Client()  # back two days later, from a fresh link
        enter(client, contact)
        assert _portal_post(client, "storage", "grant").status_code == 303
        assert _deadline(contact) is None

        clock.move_to(start + GRACE + timedelta(days=1))
        assert withdrawn_deactivate() == 0
    contact.refresh_from_db()
    assert contact.status == Status.ANSWERED and contact.first_name == "Klara"


def test_a_staff_no_is_followed_the_same_way():
    staff = make_staff()
    client = Client()
    client.force_login(staff)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        contact = _person()
        response = client.post(
            f"/admin/contacts/contact/{contact.pk}/record-consent/",
            {
                "purpose": Purpose.objects.get(key="storage").pk,
                "decision": "withdrawn",
                "language": "de",
                "note": "Said no on the phone.",
            },
        )
        assert response.status_code == 302
        assert _deadline(contact) == start + GRACE

        # Told again: the deadline does not move.
        clock.move_to(start + timedelta(days=3))
        consent_record(
            contact=contact,
            purpose_key="storage",
            granted=False,
            proof=Proof(channel="staff", staff_user=staff, evidence="Said no again."),
        )
        assert _deadline(contact) == start + GRACE

        clock.move_to(start + GRACE + timedelta(seconds=1))
        assert withdrawn_deactivate() == 1
    _assert_deactivated(contact)


def test_an_api_no_is_followed_the_same_way():
    _key, raw = ApiKey.issue(name="CRM")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        contact = _person()
        response = Client().post(
            f"/api/v1/contacts/{contact.pk}/consent",
            {"purpose": "storage", "granted": False},
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )
        assert response.status_code == 200, response.content
        assert _deadline(contact) == start + GRACE
        clock.move_to(start + GRACE + timedelta(seconds=1))
        assert withdrawn_deactivate() == 1
    _assert_deactivated(contact)


def test_a_person_who_deleted_themselves_meanwhile_is_simply_gone():
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        contact = _person()
        _withdraw_in_the_portal(contact)
        contact_erase(contact=contact)
        clock.move_to(start + GRACE + timedelta(days=1))
        assert withdrawn_deactivate() == 0
        Worker(worker_id="w").run_once()
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_a_person_who_deactivated_meanwhile_has_no_deadline_left():
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        contact = _person()
        client = _withdraw_in_the_portal(contact)
        response = client.post("/portal/deactivate/")
        assert response.status_code == 200 and b"deactivated" in response.content
        contact.refresh_from_db()
        assert contact.status == Status.DEACTIVATED and _deadline(contact) is None
        clock.move_to(start + GRACE + timedelta(days=1))
        assert withdrawn_deactivate() == 0


def test_a_restricted_customer_who_says_no_stays_on_the_other_legal_basis():
    contact = _person(kind=Kind.CUSTOMER)
    Contact.objects.filter(pk=contact.pk).update(status=Status.RESTRICTED)
    contact.refresh_from_db()
    consent_record(
        contact=contact, purpose_key="storage", granted=False, proof=Proof(channel="api")
    )
    assert _deadline(contact) is None
    with time_machine.travel(timezone.now() + GRACE * 2, tick=False):
        assert withdrawn_deactivate() == 0
    contact.refresh_from_db()
    assert contact.status == Status.RESTRICTED


def test_the_worker_looks_only_at_due_rows(django_assert_max_num_queries):
    for _ in range(3):
        consent_record(
            contact=_person(), purpose_key="storage", granted=True, proof=Proof(channel="api")
        )
    # Nothing due: one indexed lookup in a transaction.
    with django_assert_max_num_queries(3):
        assert withdrawn_deactivate() == 0
