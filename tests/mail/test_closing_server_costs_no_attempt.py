"""A 421 ("closing the connection") at RCPT is the server's state, not a verdict on
the message: the batch goes back untouched, the workers pause, and the mails
go out once the server answers again."""

from collections import Counter

import pytest
import time_machine
from django.utils import timezone

from askfirst.lifecycle.services import lifecycle_advance
from askfirst.mail.delivery import mail_deliver
from askfirst.mail.models import Bounce, Outbox, OutboxState
from tests.lifecycle.helpers import asking_contact

pytestmark = pytest.mark.django_db


def test_421_gives_the_batch_back_and_pauses(smtp):
    first = asking_contact(language="de")
    asking_contact(language="de")
    smtp.store.reject[first.email] = "421 4.3.2 shutting down"
    lifecycle_advance()

    result = mail_deliver(worker_id="w", smtp=smtp.target)
    assert (result.sent, result.retry, result.failed, result.deferred) == (0, 0, 0, 2)
    assert "421" in result.errors[0]
    assert set(Outbox.objects.values_list("state", "attempts")) == {(OutboxState.RETRY, 0)}
    assert not Bounce.objects.exists()
    paused = mail_deliver(worker_id="w", smtp=smtp.target)
    assert paused.claimed == 0 and paused.paused_until > timezone.now()

    del smtp.store.reject[first.email]
    with time_machine.travel(paused.paused_until, tick=False):
        assert mail_deliver(worker_id="w", smtp=smtp.target).sent == 2
    assert Counter(m["To"] for m in smtp.store.messages())[first.email] == 1
