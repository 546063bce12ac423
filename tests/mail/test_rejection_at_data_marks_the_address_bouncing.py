"""The server may refuse a message only after reading it (a reply to DATA). A 5xx
there is as final as one at RCPT: the mail fails and the address is recorded as
bouncing, so later mails to it are suppressed. A 4xx there is an attempt, retried."""

import pytest

from askfirst.lifecycle.services import lifecycle_advance, portal_link_send
from askfirst.mail.delivery import mail_deliver
from askfirst.mail.models import Bounce, Outbox, OutboxState
from tests.lifecycle.helpers import asking_contact

pytestmark = pytest.mark.django_db


def test_5xx_after_data_marks_the_address_bouncing(smtp):
    bouncing = asking_contact(language="en")
    other = asking_contact(language="en")
    smtp.store.reject_data[bouncing.email] = "554 5.7.1 message refused"
    lifecycle_advance()
    result = mail_deliver(worker_id="w", smtp=smtp.target)
    assert (result.sent, result.failed, result.retry) == (1, 1, 0)
    bounce = Bounce.objects.get()
    assert (bounce.email_key, bounce.code) == (bouncing.email_key, 554)
    row = Outbox.objects.get(contact=bouncing)
    assert (row.state, row.attempts) == (OutboxState.FAILED, 1)
    assert row.last_error.startswith("554 5.7.1")
    assert [m["To"] for m in smtp.store.messages()] == [other.email]

    portal_link_send(contact=bouncing)
    assert mail_deliver(worker_id="w", smtp=smtp.target).suppressed == 1
    assert len(smtp.store.messages()) == 1


def test_4xx_after_data_is_retried_not_bouncing(smtp):
    contact = asking_contact(language="en")
    smtp.store.reject_data[contact.email] = "452 4.3.1 insufficient system storage"
    lifecycle_advance()
    assert mail_deliver(worker_id="w", smtp=smtp.target).retry == 1
    row = Outbox.objects.get()
    assert (row.state, row.attempts) == (OutboxState.RETRY, 1)
    assert not Bounce.objects.exists()
