"""Every way an answer reaches the ledger goes through consent_record, so each
queues its webhook: the API, a deactivation (mail link), staff by phone."""

import pytest

from askfirst.api.models import ApiKey
from askfirst.consent.services import Proof, consent_record, contact_deactivate
from askfirst.hooks.delivery import deliveries_send
from tests.factories import make_contact, make_staff
from tests.hooks.helpers import PORTAL, endpoint_for

pytestmark = pytest.mark.django_db


def test_api_answer(receiver, client):
    endpoint_for(receiver)
    contact = make_contact()
    _, raw = ApiKey.issue(name="CRM")
    response = client.post(
        f"/api/v1/contacts/{contact.pk}/consent",
        {"purpose": "storage", "granted": True, "evidence": "Web form, double opt-in"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200
    deliveries_send()
    (got,) = receiver.received
    assert (got.json["channel"], got.json["granted"]) == ("api", True)
    assert got.json["text"] is None  # the API shows no wording


def test_deactivation_withdraws_everything(receiver):
    contact = make_contact(source_ref="crm-1")
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    consent_record(contact=contact, purpose_key="newsletter", granted=True, proof=PORTAL)
    endpoint_for(receiver)
    contact_deactivate(contact=contact, proof=Proof(channel="mail_link", language="de"))
    deliveries_send()
    payloads = [r.json for r in receiver.received]
    assert [(p["purpose"], p["granted"], p["channel"]) for p in payloads] == [
        ("newsletter", False, "mail_link"),
        ("storage", False, "mail_link"),
    ]
    # Sent with the ids the receiver knows, though deactivation wipes source_ref here.
    assert payloads[0]["contact"]["source_ref"] == "crm-1"


def test_staff_answer(receiver):
    endpoint_for(receiver)
    proof = Proof(channel="staff", staff_user=make_staff(), evidence="Agreed by phone")
    consent_record(contact=make_contact(), purpose_key="storage", granted=True, proof=proof)
    deliveries_send()
    assert receiver.received[0].json["channel"] == "staff"
