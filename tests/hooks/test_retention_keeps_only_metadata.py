"""After ASKFIRST_HOOK_RETENTION a finished webhook keeps only metadata."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from askfirst.consent.services import consent_record
from askfirst.hooks.delivery import deliveries_send
from askfirst.hooks.models import Delivery, DeliveryState
from askfirst.hooks.services import deliveries_purge
from tests.factories import make_contact
from tests.hooks.helpers import PORTAL, endpoint_for

pytestmark = pytest.mark.django_db


def test_body_goes_after_retention(receiver, settings):
    endpoint = endpoint_for(receiver)
    consent_record(contact=make_contact(), purpose_key="storage", granted=True, proof=PORTAL)
    deliveries_send()
    assert deliveries_purge() == 0
    later = timezone.now() + settings.ASKFIRST_HOOK_RETENTION + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert deliveries_purge() == 1
    row = Delivery.objects.get()
    assert row.body == "" and row.state == DeliveryState.SENT and row.sent_at
    assert (row.event, row.endpoint, row.attempts) == ("consent.changed", endpoint, 1)
