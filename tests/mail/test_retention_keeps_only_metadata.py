"""After ASKFIRST_MAIL_RETENTION a finished mail keeps only metadata."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from askfirst.lifecycle.services import lifecycle_advance
from askfirst.mail.delivery import mail_deliver
from askfirst.mail.models import Outbox, OutboxState
from askfirst.mail.services import outbox_purge
from tests.lifecycle.helpers import asking_contact

pytestmark = pytest.mark.django_db


def test_body_and_address_go_after_retention(smtp, settings):
    asking_contact(language="de")
    lifecycle_advance()
    mail_deliver(worker_id="w", smtp=smtp.target)
    assert outbox_purge() == 0
    later = timezone.now() + settings.ASKFIRST_MAIL_RETENTION + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert outbox_purge() == 1
    row = Outbox.objects.get()
    assert (row.recipient, row.message) == ("", "")
    assert row.state == OutboxState.SENT and row.sent_at and row.text_version == "de:1"
    assert row.name == "request" and row.language == "de"
