"""A temporary rejection (4xx) of a message waits ASKFIRST_MAIL_RETRY_BASE × 2^(attempts−1)
before the next attempt, at most a day; after ASKFIRST_MAIL_MAX_ATTEMPTS the mail is failed."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from askfirst.lifecycle.services import lifecycle_advance
from askfirst.mail.delivery import mail_deliver
from askfirst.mail.models import Bounce, Outbox, OutboxState
from tests.lifecycle.helpers import asking_contact

pytestmark = pytest.mark.django_db

MINUTE, HOUR = timedelta(minutes=1), timedelta(hours=1)


@pytest.mark.parametrize(
    ("base", "waits"),
    [
        (MINUTE, [MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE, 16 * MINUTE]),
        (5 * HOUR, [5 * HOUR, 10 * HOUR, 20 * HOUR, 24 * HOUR, 24 * HOUR]),  # at most a day
    ],
)
def test_each_temporary_rejection_doubles_the_wait(smtp, settings, base, waits):
    settings.ASKFIRST_MAIL_RETRY_BASE = base
    settings.ASKFIRST_MAIL_MAX_ATTEMPTS = len(waits) + 1
    contact = asking_contact(language="de")
    smtp.store.reject[contact.email] = "451 4.7.1 greylisted, try again later"
    lifecycle_advance()
    moment = timezone.now()
    seen = []
    with time_machine.travel(moment, tick=False) as clock:
        for attempt, _ in enumerate(waits, start=1):
            assert mail_deliver(worker_id="w", smtp=smtp.target).retry == 1
            row = Outbox.objects.get()
            assert (row.state, row.attempts) == (OutboxState.RETRY, attempt)
            seen.append(row.next_attempt_at - moment)
            clock.move_to(row.next_attempt_at - timedelta(seconds=1))
            assert mail_deliver(worker_id="w", smtp=smtp.target).claimed == 0  # not yet
            moment = row.next_attempt_at
            clock.move_to(moment)
        assert mail_deliver(worker_id="w", smtp=smtp.target).failed == 1
    assert seen == waits
    row = Outbox.objects.get()
    assert (row.state, row.attempts) == (OutboxState.FAILED, len(waits) + 1)
    assert row.last_error.startswith("451")
    assert not Bounce.objects.exists()  # temporary: the address is not bouncing
    assert smtp.store.messages() == []
