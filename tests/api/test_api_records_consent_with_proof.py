"""POST /api/v1/contacts/{id}/consent writes the ledger with channel "api",
naming the client system and how the person agreed; the consent rules hold."""

import pytest

from askfirst.consent.models import ConsentEvent
from askfirst.consent.services import Proof, contact_deactivate
from tests.factories import make_contact, make_staff

pytestmark = pytest.mark.django_db


def _url(contact) -> str:
    return f"/api/v1/contacts/{contact.pk}/consent"


def test_a_grant_is_recorded_with_the_client_and_the_evidence(api, api_key):
    contact = make_contact()
    response = api.post(
        _url(contact),
        {"purpose": "storage", "granted": True, "evidence": "Web form, double opt-in 2025-03-01"},
    )
    assert response.status_code == 200
    assert response.json()["recorded"] == 1
    assert response.json()["contact"]["consent"]["storage"] is True
    event = ConsentEvent.objects.get(contact=contact)
    assert event.channel == "api"
    assert event.action == "granted"
    assert "CRM" in event.evidence and api_key[0].prefix in event.evidence
    assert "double opt-in" in event.evidence


def test_granting_again_records_nothing_new(api):
    contact = make_contact()
    body = {"purpose": "storage", "granted": True, "evidence": "Form."}
    api.post(_url(contact), body)
    assert api.post(_url(contact), body).json()["recorded"] == 0


def test_withdrawing_the_base_purpose_withdraws_the_others(api):
    contact = make_contact()
    api.post(_url(contact), {"purpose": "storage", "granted": True, "evidence": "Form."})
    api.post(_url(contact), {"purpose": "newsletter", "granted": True, "evidence": "Form."})
    response = api.post(_url(contact), {"purpose": "storage", "granted": False})
    assert response.status_code == 200
    assert response.json()["recorded"] == 2
    assert not any(response.json()["contact"]["consent"].values())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"purpose": "storage", "granted": True}, "evidence"),
        ({"purpose": "storage", "granted": True, "evidence": "   "}, "evidence"),
        ({"purpose": "spam", "granted": True, "evidence": "Form."}, "purpose"),
        ({"purpose": "storage", "granted": "yes", "evidence": "Form."}, "granted"),
        ({"purpose": "storage", "evidence": "Form."}, "granted"),
        ({"purpose": "storage", "granted": True, "evidence": "a\x00"}, "evidence"),
        ({"purpose": "storage", "granted": True, "evidence": "x" * 2001}, "evidence"),
    ],
)
def test_bad_input_is_named_and_nothing_is_recorded(api, body, field):
    contact = make_contact()
    response = api.post(_url(contact), body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not ConsentEvent.objects.exists()


def test_a_purpose_before_its_base_is_a_conflict(api):
    contact = make_contact()
    response = api.post(_url(contact), {"purpose": "newsletter", "granted": True, "evidence": "F"})
    assert response.status_code == 409
    assert response.json()["detail"]
    assert not ConsentEvent.objects.exists()


def test_a_deactivated_contact_cannot_be_granted_anything(api):
    contact = make_contact()
    contact_deactivate(
        contact=contact, proof=Proof(channel="staff", staff_user=make_staff(), evidence="Phone.")
    )
    before = ConsentEvent.objects.count()
    response = api.post(_url(contact), {"purpose": "storage", "granted": True, "evidence": "F"})
    assert response.status_code == 409
    assert ConsentEvent.objects.count() == before


def test_an_unknown_contact_is_404(api):
    response = api.post(
        "/api/v1/contacts/999999/consent", {"purpose": "storage", "granted": True, "evidence": "F"}
    )
    assert response.status_code == 404
