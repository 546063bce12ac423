"""My data: every field editable with the intake's limits; extranet sharing off by default."""

import pytest

from askfirst.consent.services import Proof, consent_record
from askfirst.contacts.models import PERSONAL_FIELDS, Contact
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db


def test_every_field_shown_and_nothing_shared_by_default(client, person):
    enter(client, person)
    content = client.get("/portal/data/").content.decode()
    for name in PERSONAL_FIELDS:
        assert f'name="{name}"' in content
        assert f'id="share_{name}"' in content
    assert "checked" not in content
    assert person.email in content
    assert "You have not agreed to sharing in the extranet" in content


def test_edit_and_share(client, person):
    enter(client, person)
    data = {name: "" for name in PERSONAL_FIELDS}
    data.update(first_name="  Anna   Maria ", city="Bonn", extranet=["city", "company"])
    assert client.post("/portal/data/", data).status_code == 303
    person.refresh_from_db()
    assert person.first_name == "Anna Maria"  # whitespace rules of parse_contact
    assert person.city == "Bonn" and person.last_name == ""
    assert person.extranet_fields == ["company", "city"]
    consent_record(contact=person, purpose_key="storage", granted=True, proof=Proof(channel="api"))
    consent_record(contact=person, purpose_key="extranet", granted=True, proof=Proof(channel="api"))
    assert (
        "Other customers in the extranet see only" in client.get("/portal/data/").content.decode()
    )


def test_too_long_and_nul_are_refused(client, person):
    enter(client, person)
    response = client.post("/portal/data/", {"first_name": "x" * 151, "city": "a\x00b"})
    assert response.status_code == 400
    assert b"at most 150 characters" in response.content
    assert b'aria-invalid="true"' in response.content
    assert Contact.objects.get(pk=person.pk).first_name == "Anna"


def test_unknown_extranet_field_is_refused(client, person):
    enter(client, person)
    assert client.post("/portal/data/", {"extranet": ["email_key"]}).status_code == 400
