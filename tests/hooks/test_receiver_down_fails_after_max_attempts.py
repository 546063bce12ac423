"""A receiver that cannot be reached: every attempt is counted, the webhook is
marked failed after ASKFIRST_HOOK_MAX_ATTEMPTS, and staff see it in the admin."""

import socket
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from askfirst.consent.services import consent_record
from askfirst.hooks.delivery import deliveries_send
from askfirst.hooks.models import Delivery, DeliveryState, Endpoint
from tests.factories import make_contact
from tests.hooks.helpers import PORTAL

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_failed_after_n_attempts_and_listed(settings, admin_client):
    settings.ASKFIRST_HOOK_MAX_ATTEMPTS = 3
    Endpoint.objects.create(name="Gone", url=f"http://127.0.0.1:{_closed_port()}/hook")
    consent_record(contact=make_contact(), purpose_key="storage", granted=True, proof=PORTAL)
    moment = timezone.now()
    for attempt in range(1, 4):
        with time_machine.travel(moment, tick=False):
            assert deliveries_send().claimed == 1
        delivery = Delivery.objects.get()
        assert delivery.attempts == attempt
        assert "ConnectionRefusedError" in delivery.last_error or "URLError" in delivery.last_error
        moment += timedelta(days=1)
    assert delivery.state == DeliveryState.FAILED and delivery.finished_at
    with time_machine.travel(moment + timedelta(days=2), tick=False):
        assert deliveries_send().claimed == 0  # failed rows are never taken again

    page = admin_client.get("/admin/hooks/delivery/?state__exact=failed")
    assert page.status_code == 200
    assert f">{delivery.pk}<" in page.content.decode()
    assert (
        admin_client.get("/admin/hooks/delivery/?state__exact=sent").context["cl"].result_count == 0
    )
