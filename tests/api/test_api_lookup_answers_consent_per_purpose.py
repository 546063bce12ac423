"""Other systems ask "may I mail / track / show this person?" by id, by
address or by their own id, and get the consent for every purpose."""

import pytest

from askfirst.consent.services import Proof, consent_record, contact_deactivate
from tests.factories import make_contact, make_staff

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts"
PORTAL = Proof(channel="portal", language="de")
NOTHING = {"storage": False, "newsletter": False, "tracking": False, "extranet": False}


def test_a_new_contact_has_granted_nothing(api):
    contact = make_contact(email="erika@example.de")
    response = api.get(f"{URL}/{contact.pk}")
    assert response.status_code == 200
    assert response.json()["consent"] == NOTHING
    assert response.json()["email"] == "erika@example.de"
    assert response.json()["status"] == "queued"


def test_granted_and_withdrawn_purposes_are_answered(api):
    contact = make_contact(email="erika@example.de")
    for purpose in ("storage", "newsletter", "tracking"):
        consent_record(contact=contact, purpose_key=purpose, granted=True, proof=PORTAL)
    consent_record(contact=contact, purpose_key="tracking", granted=False, proof=PORTAL)

    response = api.get(URL, email="Erika@EXAMPLE.de")
    assert response.status_code == 200
    assert response.json()["id"] == contact.pk
    assert response.json()["consent"] == {**NOTHING, "storage": True, "newsletter": True}
    assert response.json()["status"] == "answered"


def test_lookup_by_idn_address_and_by_source_id(api):
    contact = make_contact(email="anna@bücher.de", source="connector", source_ref="4711")
    assert api.get(URL, email="anna@xn--bcher-kva.de").json()["id"] == contact.pk
    found = api.get(URL, source="connector", source_ref="4711")
    assert found.status_code == 200
    assert found.json()["id"] == contact.pk
    assert api.get(URL, source="form", source_ref="4711").status_code == 404


def test_a_deactivated_contact_allows_nothing(api):
    contact = make_contact(email="gone@example.de")
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    consent_record(contact=contact, purpose_key="newsletter", granted=True, proof=PORTAL)
    contact_deactivate(
        contact=contact, proof=Proof(channel="staff", staff_user=make_staff(), evidence="Phone.")
    )
    response = api.get(URL, email="gone@example.de")
    assert response.json()["status"] == "deactivated"
    assert response.json()["consent"] == NOTHING
    assert response.json()["last_name"] == ""
