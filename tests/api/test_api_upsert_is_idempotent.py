"""PUT /api/v1/contacts creates once and then updates, keyed by address or by
(source, source_ref); it never restarts a consent process or revives a
deactivated address."""

import pytest

from askfirst.consent.services import Proof, contact_deactivate
from askfirst.contacts.models import Contact, Status
from askfirst.contacts.services import contact_choose_language
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts"


def test_the_first_call_creates_and_the_same_call_again_changes_nothing(api):
    body = {"email": "erika@example.de", "first_name": "Erika", "source_ref": "crm-1"}
    first = api.put(URL, body)
    assert first.status_code == 201
    assert first.json()["outcome"] == "created"
    contact = first.json()["contact"]
    assert contact["status"] == "queued"
    assert contact["source"] == "api"
    assert contact["suggested_language"] == "de"

    again = api.put(URL, body)
    assert again.status_code == 200
    assert again.json()["outcome"] == "unchanged"
    assert again.json()["contact"]["id"] == contact["id"]
    assert Contact.objects.count() == 1


def test_a_change_updates_only_the_fields_sent(api):
    api.put(URL, {"email": "erika@example.de", "first_name": "Erika", "city": "Köln"})
    response = api.put(URL, {"email": "erika@example.de", "last_name": "Mustermann"})
    assert response.status_code == 200
    assert response.json()["outcome"] == "updated"
    contact = Contact.objects.get()
    assert (contact.first_name, contact.last_name, contact.city) == ("Erika", "Mustermann", "Köln")


def test_the_same_address_in_other_case_is_the_same_contact(api):
    created = api.put(URL, {"email": "Erika@Example.DE"}).json()["contact"]
    response = api.put(URL, {"email": "ERIKA@example.de", "first_name": "Erika"})
    assert response.status_code == 200
    assert response.json()["contact"]["id"] == created["id"]
    assert Contact.objects.count() == 1


def test_an_idn_address_is_one_contact_in_both_spellings(api):
    created = api.put(URL, {"email": "anna@bücher.de"})
    assert created.status_code == 201
    assert created.json()["contact"]["email"] == "anna@bücher.de"
    again = api.put(URL, {"email": "anna@xn--bcher-kva.de"})
    assert again.status_code == 200
    assert again.json()["contact"]["id"] == created.json()["contact"]["id"]
    assert Contact.objects.count() == 1


def test_source_and_source_ref_find_a_contact_whose_address_changed(api):
    body = {"email": "old@example.com", "source": "connector", "source_ref": "4711"}
    created = api.put(URL, body).json()["contact"]
    response = api.put(URL, {**body, "email": "new@example.com"})
    assert response.status_code == 200
    assert response.json()["outcome"] == "updated"
    assert response.json()["contact"]["id"] == created["id"]
    assert Contact.objects.get().email == "new@example.com"


def test_a_source_ref_that_belongs_to_another_address_is_a_conflict(api):
    api.put(URL, {"email": "a@example.com", "source": "connector", "source_ref": "1"})
    api.put(URL, {"email": "b@example.com", "source": "connector", "source_ref": "2"})
    response = api.put(URL, {"email": "b@example.com", "source": "connector", "source_ref": "1"})
    assert response.status_code == 409
    assert response.json()["detail"]
    assert set(Contact.objects.values_list("email", "source_ref")) == {
        ("a@example.com", "1"),
        ("b@example.com", "2"),
    }


def test_a_known_contact_keeps_its_status_and_mail_language(api):
    created = api.put(URL, {"email": "erika@example.de"}).json()["contact"]
    contact = Contact.objects.get(pk=created["id"])
    contact_choose_language(contact=contact, language="de", user=make_staff())

    response = api.put(
        URL, {"email": "erika@example.de", "first_name": "Erika", "kind": "customer"}
    )
    assert response.json()["outcome"] == "updated"
    assert response.json()["contact"]["status"] == "asking"
    assert response.json()["contact"]["mail_language"] == "de"
    assert response.json()["contact"]["kind"] == "customer"


def test_a_deactivated_address_stays_deactivated_and_nothing_personal_is_stored(api):
    created = api.put(URL, {"email": "gone@example.de", "first_name": "Gone"}).json()["contact"]
    contact_deactivate(
        contact=Contact.objects.get(pk=created["id"]),
        proof=Proof(channel="staff", staff_user=make_staff(), evidence="Asked by phone."),
    )

    response = api.put(
        URL,
        {"email": "GONE@example.de", "first_name": "Gone", "city": "Berlin", "source_ref": "9"},
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "deactivated"
    contact = Contact.objects.get()
    assert contact.status == Status.DEACTIVATED
    assert (contact.first_name, contact.city, contact.source_ref) == ("", "", "")
    assert response.json()["contact"]["first_name"] == ""
    assert not any(response.json()["contact"]["consent"].values())
