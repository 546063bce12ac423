"""The contact page shows one timeline: milestones, mails and answers, oldest first."""

import re

import pytest

from askfirst.mail.models import Bounce, Outbox, OutboxState
from tests.admin.campaign import (
    SCHEDULE,
    advance_all,
    advance_when_due,
    choose,
    grant,
    staff_grant,
    started_days_ago,
)
from tests.factories import make_contact

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


def _page(client, contact) -> str:
    response = client.get(f"/admin/contacts/contact/{contact.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def _timeline(content: str) -> str:
    match = re.search(r'<table class="askfirst-timeline-table">.*?</table>', content, re.S)
    assert match, "no timeline on the page"
    return match.group(0)


def _rows(content: str) -> list[str]:
    """The text of each timeline row's "what" cell."""
    rows = re.findall(r"<tr class=\"askfirst-timeline-.*?</tr>", _timeline(content), re.S)
    return [re.sub(r"<[^>]+>", "", re.findall(r"<td>(.*?)</td>", row, re.S)[1]) for row in rows]


def test_mails_and_answers_in_order(staff_client, staff, settings):
    settings.ASKFIRST_SCHEDULE = SCHEDULE
    contact = started_days_ago(choose(make_contact(), staff, "de+en"), 10)
    advance_when_due(contact)  # the request, 10 days ago
    advance_when_due(contact)  # reminder 1, 3 days ago
    grant(contact)
    staff_grant(contact, staff, "newsletter", note="Also wants the newsletter")

    content = _page(staff_client, contact)

    assert _rows(content) == [
        "Contact created",
        "Mail language chosen: German and English",
        "Mail: Consent request",
        "Mail: Reminder 1",
        "Answer: Storage and processing: granted",
        "Answer: Email newsletter: granted",
    ]
    timeline = _timeline(content)
    assert "by: staff" in timeline  # who chose the language
    assert "language: de+en" in timeline
    assert re.search(r"text version: de:\d+,en:\d+", timeline)
    assert "channel: Mail link" in timeline
    assert "staff user: staff; note: Also wants the newsletter" in timeline
    assert timeline.count("askfirst-state-pending") == 2
    # Each mail links to its outbox row, and the page to the contact's outbox list.
    for mail in Outbox.objects.filter(contact=contact):
        assert f'href="/admin/mail/outbox/{mail.pk}/change/"' in timeline
    assert f'href="/admin/mail/outbox/?contact={contact.pk}"' in content


def test_next_action_and_mail_states(staff_client, staff, settings):
    settings.ASKFIRST_SCHEDULE = SCHEDULE
    contact = started_days_ago(choose(make_contact(), staff), 2)
    advance_when_due(contact)
    Outbox.objects.filter(contact=contact).update(
        state=OutboxState.FAILED, attempts=5, last_error="451 try later, gave up"
    )

    content = _page(staff_client, contact)

    assert _rows(content)[-1] == "Next action due: send reminder 1"
    timeline = _timeline(content)
    assert "<strong>failed</strong>" in timeline
    assert "last error: 451 try later, gave up" in timeline
    assert "attempts: 5" in timeline
    assert "Consent request: request sent." in content


def test_the_outbox_links_back(staff_client, staff, settings):
    settings.ASKFIRST_SCHEDULE = SCHEDULE
    contact = choose(make_contact(), staff)
    other = choose(make_contact(), staff)
    advance_all()
    mail = Outbox.objects.get(contact=contact)

    listing = staff_client.get(f"/admin/mail/outbox/?contact={contact.pk}")
    assert listing.status_code == 200
    assert [row.pk for row in listing.context["cl"].result_list] == [mail.pk]
    assert Outbox.objects.filter(contact=other).exists()
    back = f'href="/admin/contacts/contact/{contact.pk}/change/"'
    assert back in listing.content.decode()
    assert back in staff_client.get(f"/admin/mail/outbox/{mail.pk}/change/").content.decode()


def test_a_bouncing_address_is_shown(staff_client, staff):
    contact = make_contact(email="gone@example.org")
    Bounce.objects.create(email_key=contact.email_key, code=550, reason="5.1.1 " + SCRIPT)

    content = _page(staff_client, contact)

    assert 'id="askfirst-bounce"' in content
    assert "This address bounces" in content
    assert SCRIPT not in content
    assert "5.1.1 &lt;script&gt;" in content


def test_script_in_names_notes_and_errors_is_escaped(staff_client, staff, settings):
    settings.ASKFIRST_SCHEDULE = SCHEDULE
    contact = choose(make_contact(first_name=SCRIPT, last_name=SCRIPT), staff)
    advance_all()
    Outbox.objects.filter(contact=contact).update(last_error=SCRIPT)
    staff_grant(contact, staff, note=SCRIPT)
    staff.username = SCRIPT[:150]
    staff.save()

    content = _page(staff_client, contact)

    assert SCRIPT not in content
    assert "<script>alert" not in content
    timeline = _timeline(content)
    # The staff note, the chooser's name and the mail error, all as text.
    assert timeline.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") >= 3
