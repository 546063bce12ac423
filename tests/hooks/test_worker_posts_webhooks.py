"""The worker loop posts due webhooks after the mail outbox."""

import pytest

from askfirst.consent.services import consent_record
from askfirst.hooks.models import Delivery, DeliveryState
from askfirst.lifecycle.worker import Worker
from tests.factories import make_contact
from tests.hooks.helpers import PORTAL, endpoint_for

pytestmark = pytest.mark.django_db


def test_run_once_sends_webhooks(receiver):
    endpoint_for(receiver)
    consent_record(contact=make_contact(), purpose_key="storage", granted=True, proof=PORTAL)
    result = Worker(worker_id="w").run_once()
    assert result.delivery_attempts == 1
    assert Delivery.objects.get().state == DeliveryState.SENT
    assert len(receiver.received) == 1
