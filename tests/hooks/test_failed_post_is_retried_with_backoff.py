"""A receiver that answers 500 gets the webhook again after the backoff, and it
is marked sent once a 2xx comes back; nothing is posted before it is due."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from askfirst.consent.services import consent_record
from askfirst.hooks.delivery import deliveries_send
from askfirst.hooks.models import Delivery, DeliveryState
from tests.factories import make_contact
from tests.hooks.helpers import PORTAL, endpoint_for

pytestmark = pytest.mark.django_db


def test_500_then_200(receiver, settings):
    settings.ASKFIRST_HOOK_RETRY_BASE = timedelta(minutes=1)
    endpoint_for(receiver)
    receiver.answers = [500, 500]
    consent_record(contact=make_contact(), purpose_key="storage", granted=True, proof=PORTAL)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        assert deliveries_send().retry == 1
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 1
    assert delivery.last_error.startswith("HTTP 500")
    assert delivery.next_attempt_at == start + timedelta(minutes=1)

    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        assert deliveries_send().claimed == 0  # not due yet
    with time_machine.travel(start + timedelta(minutes=1, seconds=1), tick=False):
        assert deliveries_send().retry == 1
    delivery.refresh_from_db()
    # The wait doubles: 1 min, then 2 min.
    assert delivery.attempts == 2
    assert delivery.next_attempt_at == start + timedelta(minutes=3, seconds=1)

    with time_machine.travel(start + timedelta(minutes=3, seconds=2), tick=False):
        assert deliveries_send().sent == 1
        assert deliveries_send().claimed == 0
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.attempts == 3
    assert delivery.last_error == ""
    # Three posts of the same delivery, one of them answered with a 2xx.
    assert receiver.ids() == [str(delivery.pk)] * 3
