"""Connection failures cost no attempt, so a mail that itself breaks every
connection (a server that crashes on it) must not hold up the queue for ever:
it goes behind the others, and after ASKFIRST_MAIL_MAX_ATTEMPTS breaks with
other mails answered before it on the same connection it is failed, while
every other mail is delivered. A break with nothing answered before it is an
outage like any other and costs the mail nothing
(tests/mail/test_closing_at_rcpt_never_fails_a_lone_mail.py)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from askfirst.lifecycle.services import lifecycle_advance
from askfirst.mail.delivery import mail_deliver
from askfirst.mail.models import Bounce, Outbox, OutboxState
from tests.lifecycle.helpers import asking_contact

pytestmark = pytest.mark.django_db


def test_the_breaking_mail_fails_the_others_go(smtp, settings):
    settings.ASKFIRST_MAIL_MAX_ATTEMPTS = 3
    breaking = asking_contact(language="en")  # first in the queue
    others = {asking_contact(language="en").email for _ in range(3)}
    smtp.store.drop_for = {breaking.email}
    lifecycle_advance()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for minute in range(0, 10):
            clock.move_to(start + timedelta(minutes=minute))
            if minute:  # mail keeps coming: the server works for others
                others.add(asking_contact(language="en").email)
                lifecycle_advance()
            mail_deliver(worker_id="w", smtp=smtp.target)
    # The first break (at the head of the queue, nothing answered before) is not
    # counted; the next three come after other mails were taken.
    assert smtp.store.drops == 4
    assert {m["To"] for m in smtp.store.messages()} == others
    assert len(smtp.store.messages()) == len(others)
    row = Outbox.objects.get(contact=breaking)
    assert row.state == OutboxState.FAILED
    assert "connection broke each of the last 3 times" in row.last_error
    assert not Bounce.objects.exists()  # nothing says the address is wrong
    assert Outbox.objects.filter(state=OutboxState.SENT).count() == len(others)
