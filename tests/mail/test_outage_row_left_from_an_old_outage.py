"""An outage row nobody cleared — the server came back while nothing was due, or
all that was due was suppressed, so no worker connected — must not linger: the
admin no longer warns once the pause is over, and a failure long after it
starts a new series with the shortest pause, not a jump to the longest."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from askfirst.contacts.models import Contact, Status
from askfirst.lifecycle.services import lifecycle_advance
from askfirst.mail.delivery import mail_deliver, outage_wait
from askfirst.mail.models import SmtpOutage
from tests.admin.conftest import messages_of
from tests.factories import make_staff
from tests.lifecycle.helpers import asking_contact

pytestmark = pytest.mark.django_db


def _fail_three_times(smtp, start):
    smtp.stop()
    with time_machine.travel(start, tick=False) as clock:
        for minute in range(0, 7):  # fails at 0, 1 and 3 (pauses of 1, 2, 4 minutes)
            clock.move_to(start + timedelta(minutes=minute))
            mail_deliver(worker_id="w", smtp=smtp.target)
    outage = SmtpOutage.objects.get()
    assert outage.failures == 3
    return outage


def test_old_outage_is_no_warning_and_a_new_failure_starts_short(smtp, settings, client):
    settings.ASKFIRST_MAIL_RETRY_BASE = timedelta(minutes=1)
    asking_contact(language="en")
    lifecycle_advance()
    start = timezone.now()
    outage = _fail_three_times(smtp, start)
    client.force_login(make_staff())

    with time_machine.travel(outage.retry_at - timedelta(seconds=1), tick=False):
        assert len(messages_of(client.get("/admin/mail/outbox/"))) == 1

    # The server is back, but the waiting mail is suppressed: nobody connects.
    smtp.start()
    Contact.objects.update(status=Status.DEACTIVATED)
    with time_machine.travel(outage.retry_at + timedelta(seconds=1), tick=False):
        result = mail_deliver(worker_id="w", smtp=smtp.target)
        assert (result.suppressed, result.errors) == (1, [])
        assert SmtpOutage.objects.get().failures == 3  # nobody could tell it is over
        assert messages_of(client.get("/admin/mail/outbox/")) == []

    # A day later a single failure is the first of a new series.
    later = start + timedelta(days=1)
    with time_machine.travel(later, tick=False):
        asking_contact(language="en")
        lifecycle_advance()
        smtp.stop()
        result = mail_deliver(worker_id="w", smtp=smtp.target)
    assert result.deferred == 1
    outage = SmtpOutage.objects.get()
    assert (outage.failures, outage.since) == (1, later)
    assert outage.retry_at == later + outage_wait(failures=1)


def test_failures_in_a_row_still_double(smtp, settings):
    """The knock right at the end of a pause is still one more failure in a row."""
    settings.ASKFIRST_MAIL_RETRY_BASE = timedelta(minutes=1)
    asking_contact(language="en")
    lifecycle_advance()
    start = timezone.now()
    outage = _fail_three_times(smtp, start)
    assert outage.since == start
    assert outage.retry_at == start + timedelta(minutes=3) + outage_wait(failures=3)
