"""Staff record a consent given by phone or in person, always with a note."""

import pytest

from askfirst.consent.models import ConsentEvent, ConsentState
from askfirst.consent.services import Proof, consent_record, consent_text_current
from askfirst.contacts.models import Status
from tests.admin.conftest import messages_of, run_action
from tests.factories import make_contact

pytestmark = pytest.mark.django_db


def _url(contact):
    return f"/admin/contacts/contact/{contact.pk}/record-consent/"


def _form(purpose_id, **fields):
    return {"purpose": purpose_id, "decision": "granted", "language": "de", **fields}


def _purpose_id(key):
    from askfirst.consent.models import Purpose

    return Purpose.objects.get(key=key).pk


def test_the_change_page_links_to_the_form(staff_client):
    contact = make_contact()
    page = staff_client.get(f"/admin/contacts/contact/{contact.pk}/change/")
    assert _url(contact).encode() in page.content
    form = staff_client.get(_url(contact))
    assert form.status_code == 200
    assert b'name="note"' in form.content


def test_a_consent_by_phone_is_recorded_with_the_staff_user_and_the_note(staff_client, staff):
    contact = make_contact()
    note = "Called 2025-03-04 10:15, she agreed to storage."

    response = staff_client.post(
        _url(contact), _form(_purpose_id("storage"), note=note), follow=True
    )

    assert response.redirect_chain[-1][0] == f"/admin/contacts/contact/{contact.pk}/change/"
    assert messages_of(response) == ["Recorded: Storage and processing granted."]
    [event] = ConsentEvent.objects.filter(contact=contact)
    assert event.channel == "staff"
    assert event.staff_user == staff
    assert event.evidence == note
    assert event.action == "granted"
    assert event.language == "de"
    storage = event.purpose
    assert event.text == consent_text_current(purpose=storage, language="de")
    assert ConsentState.objects.get(contact=contact, purpose=storage).granted is True
    contact.refresh_from_db()
    assert contact.status == Status.ANSWERED
    # The change page shows the new state and the history entry.
    content = response.content.decode()
    assert note in content
    assert "staff" in content


def test_a_withdrawal_by_phone_is_recorded(staff_client, staff):
    contact = make_contact()
    consent_record(
        contact=contact,
        purpose_key="storage",
        granted=True,
        proof=Proof(channel="portal", language="en"),
    )
    response = staff_client.post(
        _url(contact),
        _form(_purpose_id("storage"), decision="withdrawn", language="en", note="Asked by phone"),
        follow=True,
    )
    assert messages_of(response) == ["Recorded: Storage and processing withdrawn."]
    last = ConsentEvent.objects.filter(contact=contact).order_by("-seq").first()
    assert (last.action, last.channel, last.staff_user) == ("withdrawn", "staff", staff)


@pytest.mark.parametrize("note", ["", "   \n  "])
def test_without_a_note_the_form_shows_an_error_and_nothing_is_recorded(staff_client, note):
    contact = make_contact()

    response = staff_client.post(_url(contact), _form(_purpose_id("storage"), note=note))

    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    assert b"errornote" in response.content
    assert not ConsentEvent.objects.filter(contact=contact).exists()
    contact.refresh_from_db()
    assert (contact.status, contact.ledger_length) == (Status.QUEUED, 0)


def test_a_refused_consent_is_a_form_error_and_nothing_is_recorded(staff_client):
    contact = make_contact()

    # The newsletter needs consent to storage first.
    response = staff_client.post(
        _url(contact), _form(_purpose_id("newsletter"), note="Wants the newsletter")
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Email newsletter needs consent to Storage and processing first."
    ]
    assert not ConsentEvent.objects.filter(contact=contact).exists()


def test_a_deactivated_contact_cannot_be_recorded_as_granting(staff_client):
    contact = make_contact()
    run_action(staff_client, "deactivate", [contact], post="yes")

    response = staff_client.post(_url(contact), _form(_purpose_id("storage"), note="Phone"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This contact is deactivated and must not be contacted."
    ]
    assert ConsentEvent.objects.filter(contact=contact, action="granted").count() == 0


def test_the_ledger_is_read_only_in_the_admin(staff_client):
    contact = make_contact()
    consent_record(
        contact=contact,
        purpose_key="storage",
        granted=True,
        proof=Proof(channel="portal", language="de"),
    )
    event = ConsentEvent.objects.get(contact=contact)

    assert staff_client.get("/admin/consent/consentevent/").status_code == 200
    assert staff_client.get("/admin/consent/consentevent/add/").status_code == 403
    assert staff_client.get(f"/admin/consent/consentevent/{event.pk}/delete/").status_code == 403
    view = staff_client.get(f"/admin/consent/consentevent/{event.pk}/change/")
    assert view.status_code == 200
    assert b'name="_save"' not in view.content
    staff_client.post(f"/admin/consent/consentevent/{event.pk}/change/", {"evidence": "forged"})
    fresh = ConsentEvent.objects.get(pk=event.pk)
    assert (fresh.evidence, fresh.hash) == (event.evidence, event.hash)
    listing = staff_client.get("/admin/consent/consentevent/")
    assert "delete_selected" not in listing.content.decode()
