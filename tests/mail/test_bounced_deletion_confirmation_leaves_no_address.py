"""A deletion confirmation goes to a person just erased. If the server rejects it,
the address must not come back: no Bounce record (the erasure has just removed
it from there), and the failed row keeps neither address, text nor the
server's reply (which often repeats the address)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from askfirst.lifecycle.services import lifecycle_advance
from askfirst.mail.delivery import mail_deliver
from askfirst.mail.models import Bounce, MailName, Outbox, OutboxState
from tests.erasure import rows_containing
from tests.lifecycle.helpers import asking_contact

pytestmark = pytest.mark.django_db

EMAIL = "ottilie.rueckprall@bounce-me.example"
# Request, then expiry a minute later.
SCHEDULE = (timedelta(0), timedelta(minutes=1))


def _erased_with_a_confirmation_queued(start):
    with time_machine.travel(start, tick=False):
        asking_contact(language="en", email=EMAIL)
        lifecycle_advance()
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        assert lifecycle_advance().erased == 1
    assert Outbox.objects.get().name == MailName.DELETION


@pytest.mark.parametrize(("where", "code"), [("rcpt", "550 5.1.1"), ("data", "554 5.7.1")])
def test_rejected_confirmation_leaves_the_address_in_no_table(smtp, settings, where, code):
    settings.ASKFIRST_SCHEDULE = SCHEDULE
    start = timezone.now()
    _erased_with_a_confirmation_queued(start)
    rejections = smtp.store.reject if where == "rcpt" else smtp.store.reject_data
    rejections[EMAIL] = f"{code} <{EMAIL}>: Recipient address rejected"
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        result = mail_deliver(worker_id="w", smtp=smtp.target)
    assert (result.sent, result.failed) == (0, 1)
    row = Outbox.objects.get()
    assert row.state == OutboxState.FAILED
    assert (row.recipient, row.message, row.last_error) == ("", "", code)
    assert not Bounce.objects.exists()
    assert rows_containing([EMAIL]) == []


def test_confirmation_failing_after_retries_leaves_the_address_in_no_table(smtp, settings):
    settings.ASKFIRST_SCHEDULE = SCHEDULE
    settings.ASKFIRST_MAIL_MAX_ATTEMPTS = 2
    start = timezone.now()
    _erased_with_a_confirmation_queued(start)
    smtp.store.reject[EMAIL] = f"451 4.2.0 <{EMAIL}>: mailbox busy"
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        assert mail_deliver(worker_id="w", smtp=smtp.target).retry == 1
    with time_machine.travel(start + timedelta(days=1), tick=False):
        assert mail_deliver(worker_id="w", smtp=smtp.target).failed == 1
    row = Outbox.objects.get()
    assert (row.state, row.attempts) == (OutboxState.FAILED, 2)
    assert (row.recipient, row.message, row.last_error) == ("", "", "451 4.2.0")
    assert rows_containing([EMAIL]) == []
