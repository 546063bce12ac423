"""A consent answer through the real service queues one webhook per listening
endpoint; the worker posts it, signed with the endpoint's secret, and marks it sent."""

import json
import time

import pytest

from askfirst.consent.services import consent_record
from askfirst.hooks.delivery import deliveries_send
from askfirst.hooks.models import Delivery, DeliveryState
from tests.factories import make_contact
from tests.hooks.helpers import PORTAL, endpoint_for
from tests.hooks.receiver import verify

pytestmark = pytest.mark.django_db


def test_one_answer_one_signed_delivery(receiver):
    endpoint = endpoint_for(receiver)
    contact = make_contact(email="greta@example.org", source="api", source_ref="crm-7")
    (event,) = consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    delivery = Delivery.objects.get()
    assert (delivery.event, delivery.state, delivery.endpoint) == (
        "consent.changed",
        DeliveryState.PENDING,
        endpoint,
    )

    result = deliveries_send()

    assert (result.claimed, result.sent) == (1, 1)
    (got,) = receiver.received
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Askfirst-Event"] == "consent.changed"
    assert got.headers["Askfirst-Delivery"] == str(delivery.pk)
    signature = got.headers["Askfirst-Signature"]
    assert verify(secret=endpoint.secret, header=signature, body=got.body.encode())
    assert not verify(secret="another secret", header=signature, body=got.body.encode())
    assert abs(int(signature.split(",")[0][2:]) - time.time()) < 60
    payload = got.json
    assert payload["contact"] == {
        "id": contact.pk,
        "email": "greta@example.org",
        "source": "api",
        "source_ref": "crm-7",
    }
    assert payload["purpose"] == "storage" and payload["granted"] is True
    assert payload["channel"] == "portal" and payload["seq"] == event.seq
    assert payload["occurred_at"].endswith("Z")
    assert payload["text"] == {"language": "de", "version": 1}
    assert payload["consent"] == {
        "storage": True,
        "newsletter": False,
        "tracking": False,
        "extranet": False,
    }
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.sent_at and delivery.attempts == 1
    # The body is kept (for the retention) exactly as it was signed and posted.
    assert delivery.body == got.body and json.loads(delivery.body) == payload
    assert deliveries_send().claimed == 0


def test_a_withdrawal_with_dependants_is_one_delivery_per_ledger_event(receiver):
    endpoint_for(receiver)
    contact = make_contact()
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    consent_record(contact=contact, purpose_key="newsletter", granted=True, proof=PORTAL)
    events = consent_record(contact=contact, purpose_key="storage", granted=False, proof=PORTAL)
    assert len(events) == 2
    deliveries_send()
    last_two = [r.json for r in receiver.received[-2:]]
    assert [(p["purpose"], p["granted"]) for p in last_two] == [
        ("newsletter", False),
        ("storage", False),
    ]
    # Each carries the state once the whole answer is written.
    assert all(not any(p["consent"].values()) for p in last_two)
    assert len(set(receiver.ids())) == 4
