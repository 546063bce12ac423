"""Editing a contact in the admin validates and normalises the address like every intake."""

import pytest

from askfirst.contacts.models import Contact, Status
from tests.factories import make_contact

pytestmark = pytest.mark.django_db


def _edit(client, contact, **changes):
    data = {
        "email": contact.email,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "kind": contact.kind,
        "_save": "Save",
        **changes,
    }
    return client.post(f"/admin/contacts/contact/{contact.pk}/change/", data)


def test_a_new_address_is_normalised_and_the_key_follows(staff_client):
    contact = make_contact(email="old@example.org")

    response = _edit(staff_client, contact, email="  Anna.Neu@Bücher.DE ")

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.email == "Anna.Neu@bücher.de"
    assert contact.email_key == "anna.neu@bücher.de"
    # The .de address now suggests German.
    assert contact.suggested_language == "de"


@pytest.mark.parametrize("bad", ["not-an-address", "anna@", "", "anna@@example.org"])
def test_an_invalid_address_is_refused_and_nothing_changes(staff_client, bad):
    contact = make_contact(email="keep@example.org")

    response = _edit(staff_client, contact, email=bad)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"]
    contact.refresh_from_db()
    assert (contact.email, contact.email_key) == ("keep@example.org", "keep@example.org")


def test_the_address_of_another_contact_in_other_case_is_refused_clearly(staff_client):
    make_contact(email="taken@example.org")
    contact = make_contact(email="mine@example.org")

    response = _edit(staff_client, contact, email="TAKEN@Example.org")

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["email"]
    assert error == (
        "Another contact already has this address (addresses are compared without "
        "regard to upper and lower case): taken@example.org"
    )
    contact.refresh_from_db()
    assert contact.email_key == "mine@example.org"


def test_changing_only_the_case_of_ones_own_address_is_fine(staff_client):
    contact = make_contact(email="anna@example.org")
    assert _edit(staff_client, contact, email="Anna@example.org").status_code == 302
    contact.refresh_from_db()
    assert (contact.email, contact.email_key) == ("Anna@example.org", "anna@example.org")


def test_staff_set_the_kind_but_not_status_or_ledger_fields(staff_client):
    contact = make_contact()

    response = _edit(
        staff_client,
        contact,
        kind="customer",
        status="answered",
        mail_language="en",
        ledger_length="7",
        ledger_head="f" * 64,
        email_key="forged@example.org",
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.kind == "customer"
    assert contact.status == Status.QUEUED
    assert contact.mail_language == ""
    assert (contact.ledger_length, contact.ledger_head) == (0, "")
    assert contact.email_key == contact.email.lower()


def test_staff_add_a_contact_with_a_normalised_address(staff_client):
    response = staff_client.post(
        "/admin/contacts/contact/add/",
        {
            "email": "Neu@Firma.AT",
            "first_name": "Nora",
            "kind": "prospect",
            "source": "phone",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    contact = Contact.objects.get(email_key="neu@firma.at")
    assert contact.email == "Neu@firma.at"
    assert (contact.status, contact.suggested_language) == (Status.QUEUED, "de")

    again = staff_client.post(
        "/admin/contacts/contact/add/",
        {"email": "NEU@firma.at", "kind": "prospect", "source": "phone", "_save": "Save"},
    )
    assert again.status_code == 200
    assert again.context["adminform"].form.errors["email"]
    assert Contact.objects.filter(email_key="neu@firma.at").count() == 1
