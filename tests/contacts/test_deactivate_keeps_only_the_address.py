"""Deactivation keeps the address as a do-not-contact record and nothing else."""

import pytest

from askfirst.consent.services import (
    ConsentError,
    Proof,
    consent_record,
    consent_states,
    contact_deactivate,
)
from askfirst.contacts.inputs import parse_contact
from askfirst.contacts.models import PERSONAL_FIELDS, Contact, Status, Topic
from askfirst.contacts.services import Outcome, contact_upsert
from tests.factories import make_contact

pytestmark = pytest.mark.django_db

PORTAL = Proof(channel="portal", language="en")


def _full_contact() -> Contact:
    contact = make_contact(
        email="Greta.Gruen@Example.org",
        first_name="Greta",
        last_name="Grün",
        company="Grün AG",
        position="CEO",
        phone="+49 30 1234",
        street="Hauptstr. 1",
        postal_code="10115",
        city="Berlin",
        country="Deutschland",
        source_ref="crm-7",
    )
    contact.topics.add(Topic.objects.create(key="t", label_de="T", label_en="T"))
    contact.extranet_fields = ["company"]
    contact.save()
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    consent_record(contact=contact, purpose_key="newsletter", granted=True, proof=PORTAL)
    return contact


def test_deactivation_wipes_everything_but_the_address():
    contact = contact_deactivate(contact=_full_contact(), proof=PORTAL)
    contact.refresh_from_db()
    assert contact.status == Status.DEACTIVATED
    assert contact.email == "Greta.Gruen@example.org"
    assert all(getattr(contact, name) == "" for name in PERSONAL_FIELDS)
    assert contact.source_ref == ""
    assert contact.extranet_fields == []
    assert contact.topics.count() == 0
    assert consent_states(contact=contact) == {"storage": False, "newsletter": False}


def test_a_deactivated_contact_cannot_be_granted_consent():
    contact = contact_deactivate(contact=_full_contact(), proof=PORTAL)
    with pytest.raises(ConsentError, match="deactivated"):
        consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)


def test_importing_a_deactivated_address_again_does_not_revive_it():
    contact = contact_deactivate(contact=_full_contact(), proof=PORTAL)
    again, outcome = contact_upsert(
        data=parse_contact(
            {"email": "GRETA.GRUEN@example.org", "first_name": "Greta", "company": "Grün AG"},
            default_source="import",
        )
    )
    assert outcome == Outcome.DEACTIVATED
    assert again.pk == contact.pk
    contact.refresh_from_db()
    assert contact.status == Status.DEACTIVATED
    assert contact.first_name == "" and contact.company == ""
