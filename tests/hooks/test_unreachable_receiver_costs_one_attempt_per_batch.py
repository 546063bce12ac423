"""A receiver that cannot be reached costs a batch one attempt, not one per webhook.

Each attempt at a hanging receiver waits out ASKFIRST_HOOK_TIMEOUT; trying
all of a batch's webhooks for it one after another would hold up the
worker's mails (and a SIGTERM) for minutes. The others are given back
without counting an attempt, and go out once the receiver answers again.
"""

import socket
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from askfirst.consent.services import consent_record
from askfirst.hooks.delivery import deliveries_send
from askfirst.hooks.models import Delivery, DeliveryState, Endpoint
from tests.factories import make_contact
from tests.hooks.helpers import PORTAL, endpoint_for

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_one_attempt_for_the_unreachable_one_the_healthy_one_served(receiver):
    gone = Endpoint.objects.create(name="Gone", url=f"http://127.0.0.1:{_closed_port()}/hook")
    endpoint_for(receiver)
    for _ in range(3):
        consent_record(contact=make_contact(), purpose_key="storage", granted=True, proof=PORTAL)

    result = deliveries_send()

    assert (result.claimed, result.sent, result.retry, result.deferred) == (6, 3, 1, 2)
    assert len(receiver.received) == 3
    to_gone = Delivery.objects.filter(endpoint=gone).order_by("id")
    assert [d.attempts for d in to_gone] == [1, 0, 0]
    assert {d.state for d in to_gone} == {DeliveryState.PENDING}
    assert all(d.next_attempt_at > timezone.now() for d in to_gone)


def test_given_back_rows_go_out_when_the_receiver_is_back(receiver, settings):
    settings.ASKFIRST_HOOK_RETRY_BASE = timedelta(minutes=1)
    endpoint = Endpoint.objects.create(name="Later", url=f"http://127.0.0.1:{_closed_port()}/")
    for _ in range(3):
        consent_record(contact=make_contact(), purpose_key="storage", granted=True, proof=PORTAL)
    assert deliveries_send().deferred == 2

    Endpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        assert deliveries_send().sent == 3
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
    assert len(set(receiver.ids())) == 3
