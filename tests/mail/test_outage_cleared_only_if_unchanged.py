"""A batch that went through clears the outage row only as it read it at the
start: a pause another worker set meanwhile (its connection failed while this
batch was being sent) survives."""

from datetime import timedelta

import pytest
from django.utils import timezone

from askfirst.lifecycle.services import lifecycle_advance
from askfirst.mail import delivery
from askfirst.mail.delivery import mail_deliver
from askfirst.mail.models import SmtpOutage
from tests.lifecycle.helpers import asking_contact

pytestmark = pytest.mark.django_db


def test_a_newer_pause_survives_a_batch_that_went_through(smtp, monkeypatch):
    for _ in range(2):
        asking_contact(language="en")
    lifecycle_advance()
    past = timezone.now() - timedelta(minutes=1)
    SmtpOutage.objects.create(pk=SmtpOutage.ONLY, failures=2, since=past, retry_at=past)

    send_one = delivery._send_one
    calls = []

    def other_worker_fails_meanwhile(client, sender, row):
        if not calls:
            delivery._connection_lost(
                untried=[],
                suspect=None,
                answered=False,
                error="ConnectionRefusedError: another worker",
                worker_id="other",
                now=timezone.now(),
            )
        calls.append(row["id"])
        return send_one(client, sender, row)

    monkeypatch.setattr(delivery, "_send_one", other_worker_fails_meanwhile)
    result = mail_deliver(worker_id="w", smtp=smtp.target)
    assert (result.sent, result.errors) == (2, [])
    outage = SmtpOutage.objects.get()
    assert outage.failures == 3
    assert outage.retry_at > timezone.now()


def test_an_unchanged_pause_is_cleared(smtp):
    asking_contact(language="en")
    lifecycle_advance()
    past = timezone.now() - timedelta(minutes=1)
    SmtpOutage.objects.create(pk=SmtpOutage.ONLY, failures=2, since=past, retry_at=past)
    assert mail_deliver(worker_id="w", smtp=smtp.target).sent == 1
    outage = SmtpOutage.objects.get()
    assert (outage.failures, outage.since, outage.retry_at) == (0, None, None)
