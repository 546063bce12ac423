"""Through the 30 days with a moving clock: the right mails on the right days.

Request on day 0, reminders on days 7/14/21/28, expiry on day 30; an answer
on day 10 stops reminders 2-4; no answer erases a prospect and sends the
deletion confirmation; a customer under ASKFIRST_CUSTOMER_EXPIRY=restrict is
restricted instead. Mails go over real SMTP (aiosmtpd).
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from askfirst.contacts.models import Contact, Status
from askfirst.lifecycle.worker import Worker
from askfirst.mail.models import Outbox, OutboxState
from tests.lifecycle.helpers import asking_contact, links, mail_text, yes_form

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHECK_DAYS = [0, 1, 6.9, 7, 8, 10, 13.9, 14, 20, 21, 27, 28, 29, 29.99, 30, 31, 45]


def subjects_on_each_day(smtp, address, on_day=None):
    """{day: [subjects received that day]} running the worker at each check day."""
    worker = Worker(smtp=smtp.target)
    seen = 0
    days = {}
    with time_machine.travel(START, tick=False) as clock:
        for day in CHECK_DAYS:
            clock.move_to(START + timedelta(days=day))
            if on_day and day in on_day:
                on_day[day]()
            worker.run_once()
            received = smtp.store.to(address)
            days[day] = [str(m["Subject"]) for m in received[seen:]]
            seen = len(received)
    return {day: subjects for day, subjects in days.items() if subjects}


def test_no_answer_gets_request_four_reminders_then_deletion(smtp):
    with time_machine.travel(START, tick=False):
        contact = asking_contact(language="en", email="silent@example.org")
    days = subjects_on_each_day(smtp, "silent@example.org")
    assert days == {
        0: ["Your data at Beispiel GmbH: may we keep it?"],
        7: ["Reminder 1: may we keep your data?"],
        14: ["Reminder 2: may we keep your data?"],
        21: ["Reminder 3: may we keep your data?"],
        28: ["Reminder 4: may we keep your data?"],
        30: ["We have deleted your data"],
    }
    assert not Contact.objects.filter(pk=contact.pk).exists()
    deletion = Outbox.objects.get(name="deletion")
    # Sent, then emptied: the erased person's address stays nowhere.
    assert deletion.state == OutboxState.SENT
    assert deletion.recipient == "" and deletion.message == ""
    assert deletion.contact_id is None


def test_answer_on_day_ten_stops_reminders_two_to_four(smtp, client):
    with time_machine.travel(START, tick=False):
        asking_contact(language="de", email="answers@example.org")

    def answer():
        request = smtp.store.to("answers@example.org")[0]
        response = client.post(links(request)["yes"], yes_form())
        assert response.status_code == 200

    days = subjects_on_each_day(smtp, "answers@example.org", on_day={10: answer})
    assert days == {
        0: ["Ihre Daten bei Beispiel GmbH: Dürfen wir sie behalten?"],
        7: ["Erinnerung 1: Dürfen wir Ihre Daten behalten?"],
    }
    contact = Contact.objects.get(email_key="answers@example.org")
    assert contact.status == Status.ANSWERED
    assert contact.next_action_at is None


@pytest.mark.parametrize("policy", ["erase", "restrict"])
def test_customer_expiry_follows_the_setting(smtp, settings, policy):
    settings.ASKFIRST_CUSTOMER_EXPIRY = policy
    with time_machine.travel(START, tick=False):
        contact = asking_contact(language="en", email="customer@example.org", kind="customer")
    days = subjects_on_each_day(smtp, "customer@example.org")
    assert len(days) == (6 if policy == "erase" else 5)
    if policy == "restrict":
        contact.refresh_from_db()
        assert contact.status == Status.RESTRICTED
        assert contact.next_action_at is None
        assert not contact.consent_states.filter(granted=True).exists()
    else:
        assert not Contact.objects.filter(pk=contact.pk).exists()


def test_reminder_names_its_number_and_the_deletion_date(smtp):
    with time_machine.travel(START, tick=False) as clock:
        asking_contact(language="de", email="dates@example.org")
        worker = Worker(smtp=smtp.target)
        worker.run_once()
        clock.move_to(START + timedelta(days=14))
        worker.run_once()
    request, reminder = smtp.store.to("dates@example.org")
    assert "01.04.2026" in mail_text(request)  # day 30
    assert "Erinnerung Nummer\n1." in mail_text(reminder)
    assert links(request) != links(reminder)  # fresh personal links in every mail
