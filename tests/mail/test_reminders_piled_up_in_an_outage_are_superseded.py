"""While SMTP is down the lifecycle keeps its schedule and queues reminders.
When the server is back they must not arrive in a burst: of the reminders
still to go only the latest is sent, and none before the request (which
carries what the reminders refer back to). The others keep their metadata,
suppressed as superseded."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from askfirst.env import parse_schedule
from askfirst.lifecycle.worker import Worker
from askfirst.mail.models import MailName, Outbox, OutboxState
from tests.lifecycle.helpers import asking_contact
from tests.mail.smtpserver import SmtpServer

pytestmark = pytest.mark.django_db


def _run(worker, clock, start, *, hours: tuple[int, int]):
    for minute in range(hours[0] * 60, hours[1] * 60, 5):
        clock.move_to(start + timedelta(minutes=minute))
        worker.run_once()


def test_after_an_outage_each_person_gets_one_mail_not_a_burst(settings):
    settings.ASKFIRST_SCHEDULE = parse_schedule("0h,4h,8h,12h,16h,40h")
    server = SmtpServer()
    server.start()
    start = timezone.now()
    try:
        with time_machine.travel(start, tick=False) as clock:
            asked = asking_contact(language="en")
            worker = Worker(smtp=server.target, worker_id="w")
            worker.run_once()  # the request goes out
            server.stop()
            clock.move_to(start + timedelta(hours=1))
            new = asking_contact(language="en")  # asked for the first time during the outage
            _run(worker, clock, start, hours=(1, 20))
            for contact in (asked, new):  # request + 4 reminders each
                assert Outbox.objects.filter(contact=contact).count() == 5
            server.start()
            _run(worker, clock, start, hours=(20, 21))
        received = [(m["To"], str(m["Subject"])) for m in server.store.messages()]
    finally:
        server.stop()
    assert sorted(received) == sorted(
        [
            (asked.email, "Your data at Beispiel GmbH: may we keep it?"),
            (asked.email, "Reminder 4: may we keep your data?"),
            (new.email, "Your data at Beispiel GmbH: may we keep it?"),
        ]
    )
    suppressed = Outbox.objects.filter(state=OutboxState.SUPPRESSED)
    assert sorted(suppressed.values_list("contact_id", "name", "step")) == [
        *((asked.pk, MailName.REMINDER, step) for step in (1, 2, 3)),
        *((new.pk, MailName.REMINDER, step) for step in (1, 2, 3, 4)),
    ]
    for contact_id, step, error in suppressed.values_list("contact_id", "step", "last_error"):
        if contact_id == asked.pk:
            # By whichever later reminder was queued when the worker took it up.
            assert step < int(error.removeprefix("superseded by reminder ")) <= 4
        else:
            assert error == "superseded: the request has not gone out yet"
    assert not Outbox.objects.filter(state=OutboxState.FAILED).exists()
