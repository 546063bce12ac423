""" "Send again now" leaves alone a failed webhook whose body is gone (blanked
after ASKFIRST_HOOK_RETENTION) and one whose endpoint was deactivated, and says
why; nothing is posted for either."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from askfirst.consent.services import consent_record
from askfirst.hooks.delivery import deliveries_send
from askfirst.hooks.models import Delivery, DeliveryState, Endpoint
from askfirst.hooks.services import deliveries_purge
from tests.factories import make_contact
from tests.hooks.helpers import PORTAL, endpoint_for

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/hooks/delivery/"


@pytest.fixture
def failed(receiver, settings) -> Delivery:
    settings.ASKFIRST_HOOK_MAX_ATTEMPTS = 1
    endpoint_for(receiver)
    receiver.answers = [500]
    consent_record(contact=make_contact(), purpose_key="storage", granted=True, proof=PORTAL)
    deliveries_send()
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED and len(receiver.received) == 1
    return delivery


def _send_again(admin_client, delivery: Delivery) -> str:
    response = admin_client.post(
        CHANGELIST, {"action": "retry_now", "_selected_action": [delivery.pk]}, follow=True
    )
    return response.content.decode()


def test_purged_delivery_is_not_sent_again(failed, receiver, settings, admin_client):
    later = timezone.now() + settings.ASKFIRST_HOOK_RETENTION + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert deliveries_purge() == 1
        page = _send_again(admin_client, failed)
        assert deliveries_send().claimed == 0

    assert "0 webhooks queued again." in page
    assert "1 failed webhook cannot be sent again: its body was already removed" in page
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.body) == (DeliveryState.FAILED, 1, "")
    assert len(receiver.received) == 1


def test_delivery_of_a_deactivated_endpoint_is_not_sent_again(failed, receiver, admin_client):
    Endpoint.objects.update(active=False)

    page = _send_again(admin_client, failed)

    assert "1 failed webhook not sent again: its endpoint is deactivated." in page
    assert deliveries_send().claimed == 0
    failed.refresh_from_db()
    assert failed.state == DeliveryState.FAILED and failed.body
    assert len(receiver.received) == 1
