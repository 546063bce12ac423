"""SMTP goes down mid-campaign — the connection breaks in the middle of a batch,
after some mails were delivered — and stays down for a day while the worker
loops. A failed connection says nothing about the mails: none uses up an
attempt or ends as failed, the worker knocks at most every OUTAGE_WAIT_MAX
instead of every pass, and once the server is back every mail arrives exactly
once."""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from askfirst.lifecycle.worker import Worker
from askfirst.mail.delivery import OUTAGE_WAIT_MAX
from askfirst.mail.models import Outbox, OutboxState
from tests.lifecycle.helpers import asking_contact
from tests.mail.smtpserver import SmtpServer

pytestmark = pytest.mark.django_db

COUNT = 40
BATCH = 10
DELIVERED_BEFORE = 14  # one full batch, then the connection breaks in the second
DAY = 24 * 60  # minutes


class Knocks:
    """An SMTP target that counts the connections the worker opens."""

    def __init__(self, target):
        self.target = target
        self.count = 0

    def connect(self):
        self.count += 1
        return self.target.connect()


def test_a_day_without_smtp_costs_no_attempt_and_delivers_each_mail_once(settings):
    settings.ASKFIRST_WORKER_BATCH = BATCH
    settings.ASKFIRST_MAIL_RETRY_BASE = timedelta(minutes=1)
    settings.ASKFIRST_MAIL_MAX_ATTEMPTS = 8  # the defaults: used up in ~2 h if outages counted
    server = SmtpServer()
    server.store.drop_after = DELIVERED_BEFORE
    server.start()
    knocks = Knocks(server.target)
    start = timezone.now()
    try:
        with time_machine.travel(start, tick=False) as clock:
            addresses = {asking_contact(language="en").email for _ in range(COUNT)}
            worker = Worker(smtp=knocks, worker_id="w")
            worker.run_once()  # writes the requests, sends until the connection breaks
            assert server.store.drops == 1
            assert len(server.store.messages()) == DELIVERED_BEFORE
            server.stop()  # and the server stays down

            for minute in range(1, DAY + 1):  # the worker loops for a day
                clock.move_to(start + timedelta(minutes=minute))
                worker.run_once()
            states = Counter(Outbox.objects.values_list("state", flat=True))
            assert states[OutboxState.SENT] == DELIVERED_BEFORE
            assert states[OutboxState.FAILED] == 0
            waiting = Outbox.objects.exclude(state=OutboxState.SENT)
            assert set(waiting.values_list("attempts", flat=True)) == {0}
            assert waiting.filter(last_error__startswith="ConnectionRefusedError").exists()
            # Doubling pauses from a minute up to OUTAGE_WAIT_MAX, then one knock per
            # OUTAGE_WAIT_MAX: about 100 a day, not one per pass (1,440).
            per_day = DAY // int(OUTAGE_WAIT_MAX.total_seconds() // 60)
            assert per_day < knocks.count <= per_day + 6

            server.start()
            back = start + timedelta(minutes=DAY)
            for minute in range(1, int(OUTAGE_WAIT_MAX.total_seconds() // 60) + 2):
                clock.move_to(back + timedelta(minutes=minute))
                worker.run_once()
        received = Counter(m["To"] for m in server.store.messages())
    finally:
        server.stop()
    assert set(received) == addresses
    assert set(received.values()) == {1}
    assert Counter(Outbox.objects.values_list("state", flat=True)) == {OutboxState.SENT: COUNT}
    assert set(Outbox.objects.values_list("attempts", flat=True)) == {1}
