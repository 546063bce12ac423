"""Workers on one PostgreSQL claim disjoint batches: every webhook is posted
exactly once, none is missed."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.utils import timezone

from askfirst.hooks.delivery import deliveries_send
from askfirst.hooks.models import Delivery, DeliveryState, Event
from tests.hooks.helpers import endpoint_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs skip-locked claims"),
]

DELIVERIES = 200
WORKERS = 4


def test_four_workers_no_duplicate_no_miss(receiver):
    endpoint = endpoint_for(receiver)
    now = timezone.now()
    Delivery.objects.bulk_create(
        Delivery(
            endpoint=endpoint,
            event=Event.CONSENT_CHANGED,
            body=f'{{"n":{n}}}',
            next_attempt_at=now,
            created_at=now,
        )
        for n in range(DELIVERIES)
    )
    barrier = threading.Barrier(WORKERS)
    errors = []
    claims: Counter = Counter()

    def work(n):
        try:
            barrier.wait()
            while (claimed := deliveries_send(limit=5).claimed) > 0:
                claims[n] += claimed
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    posted = Counter(receiver.ids())
    assert len(posted) == DELIVERIES and max(posted.values()) == 1
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == DELIVERIES
    assert sum(claims.values()) == DELIVERIES
    assert len(claims) >= 2  # more than one worker did real work
