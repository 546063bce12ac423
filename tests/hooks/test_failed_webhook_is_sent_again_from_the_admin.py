"""Staff pick a failed webhook in the admin and "Send again now": it is pending
again with a fresh count of attempts, due now, and the worker posts it to the
receiver (real HTTP) and marks it sent."""

import pytest

from askfirst.consent.services import consent_record
from askfirst.hooks.delivery import deliveries_send
from askfirst.hooks.models import Delivery, DeliveryState
from tests.factories import make_contact
from tests.hooks.helpers import PORTAL, endpoint_for

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/hooks/delivery/"


def test_failed_delivery_is_posted_again_and_marked_sent(receiver, settings, admin_client):
    settings.ASKFIRST_HOOK_MAX_ATTEMPTS = 1
    endpoint_for(receiver)
    receiver.answers = [500]
    consent_record(contact=make_contact(), purpose_key="storage", granted=True, proof=PORTAL)
    assert deliveries_send().failed == 1
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED and delivery.body
    assert deliveries_send().claimed == 0  # a failed row is never taken by itself

    response = admin_client.post(
        CHANGELIST, {"action": "retry_now", "_selected_action": [delivery.pk]}, follow=True
    )

    assert "1 webhook queued again." in response.content.decode()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (
        DeliveryState.PENDING,
        0,
        "",
    )
    assert delivery.finished_at is None
    assert deliveries_send().sent == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.attempts == 1 and delivery.sent_at
    # The same delivery (same id, same body): the receiver dedupes by it.
    first, again = receiver.received
    assert first.headers["Askfirst-Delivery"] == again.headers["Askfirst-Delivery"]
    assert first.body == again.body == delivery.body


def test_pending_and_sent_ones_are_left_alone(receiver, admin_client):
    endpoint_for(receiver)
    consent_record(contact=make_contact(), purpose_key="storage", granted=True, proof=PORTAL)
    consent_record(contact=make_contact(), purpose_key="storage", granted=True, proof=PORTAL)
    deliveries_send(limit=1)
    before = list(Delivery.objects.order_by("id").values_list("state", "attempts"))
    assert sorted(state for state, _ in before) == ["pending", "sent"]

    response = admin_client.post(
        CHANGELIST,
        {
            "action": "retry_now",
            "_selected_action": list(Delivery.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )

    assert "0 webhooks queued again." in response.content.decode()
    assert "only failed ones are sent again" in response.content.decode()
    assert list(Delivery.objects.order_by("id").values_list("state", "attempts")) == before
