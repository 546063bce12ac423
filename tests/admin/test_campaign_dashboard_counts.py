"""The campaign dashboard counts a known mix of contacts, mails and answers correctly."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from askfirst.contacts.models import Contact, ErasureCount, Status
from askfirst.lifecycle.reports import campaign_counts
from askfirst.mail.models import Outbox, OutboxState
from askfirst.portal.services import portal_erase
from tests.admin.campaign import SCHEDULE, advance_all, build_campaign, choose
from tests.factories import make_contact

pytestmark = pytest.mark.django_db

URL = "/admin/contacts/contact/campaign/"


@pytest.fixture
def mix(settings, staff):
    settings.ASKFIRST_SCHEDULE = SCHEDULE
    settings.ASKFIRST_CUSTOMER_EXPIRY = "restrict"
    people = build_campaign(staff)
    # One mail was delivered, one failed for good.
    now = timezone.now()
    Outbox.objects.filter(contact=people["answered"]).update(
        state=OutboxState.SENT, sent_at=now, finished_at=now
    )
    first = Outbox.objects.filter(contact=people["late"]).order_by("pk")[:1].get()
    Outbox.objects.filter(pk=first.pk).update(
        state=OutboxState.FAILED, finished_at=now, last_error="550 no such user"
    )
    return people


def test_the_counts_follow_the_contacts(mix):
    campaign = campaign_counts()

    assert campaign.statuses == {
        Status.QUEUED: 2,
        Status.ASKING: 2,
        Status.ANSWERED: 2,
        Status.DEACTIVATED: 1,
        Status.RESTRICTED: 1,
    }
    # late: request + 2 reminders sent (step 3); latest: the request (step 1).
    assert campaign.asking_steps == {1: 1, 3: 1}
    assert campaign.erasures == 1 == sum(ErasureCount.objects.values_list("count", flat=True))
    # Pending: 5 to the restricted customer, 1 deletion confirmation, 3 + 1 to the two
    # still asked, less the 1 of them that failed. The one who answered by mail had 1
    # (sent); the deactivated contact's 2 were suppressed when it was deactivated.
    assert campaign.mails == {
        "pending": 9,
        "sending": 0,
        "retry": 0,
        "failed": 1,
        "sent": 1,
        "suppressed": 2,
    }
    # Six held and asked, and the prospect erased for never answering.
    assert campaign.erasures_by_reason == {"expired": 1}
    assert campaign.expired == 1
    assert (campaign.asked, campaign.answered) == (7, 3)
    assert campaign.answer_rate == pytest.approx(3 / 7)
    rates = {rate.key: (rate.granted, rate.withdrawn, rate.answered) for rate in campaign.purposes}
    assert rates == {
        "storage": (2, 1, 3),  # mail link, staff; withdrawn by deactivation
        "newsletter": (1, 0, 3),
        "tracking": (0, 0, 3),
        "extranet": (0, 0, 3),
    }
    # Both answers after a request came on its first day; staff's answer had no request.
    assert campaign.funnel[0].answered == 2
    assert campaign.funnel[-1].cumulative == 2
    assert campaign.funnel_later == 0


def test_the_page_shows_them_with_links(staff_client, mix):
    response = staff_client.get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Consent campaign" in content
    assert '<a href="/admin/contacts/contact/?status__exact=queued">' in content
    assert "/admin/contacts/contact/?status__exact=asking&amp;lifecycle_step=3" in content
    assert "Reminder 2 sent" in content
    assert '<td id="askfirst-erasures">1</td>' in content
    assert '<td id="askfirst-expired">1</td>' in content
    assert "3 / 7 (43&nbsp;%)" in content
    assert "2 granted of 3 answered (67&nbsp;%)" in content
    # The funnel chart is inline SVG; the page adds no script of its own.
    assert 'id="askfirst-funnel-chart"' in content
    assert not re.search(r"<script(?![^>]*\bsrc=)", content)
    # The links lead to lists with the same numbers.
    step3 = staff_client.get("/admin/contacts/contact/?status__exact=asking&lifecycle_step=3")
    assert step3.context["cl"].result_count == 1


def test_failed_mails_are_counted_and_linked(staff_client, mix):
    content = staff_client.get(URL).content.decode()
    assert (
        '<a href="/admin/mail/outbox/?state__exact=failed" id="askfirst-failed-mails">' in content
    )
    assert "1 mail failed" in content

    index = staff_client.get("/admin/").content.decode()
    assert "1 mail failed" in index
    assert 'href="/admin/contacts/contact/campaign/"' in index

    listing = staff_client.get("/admin/mail/outbox/?state__exact=failed")
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    assert "550 no such user" in listing.content.decode()


def test_the_sent_link_lists_the_mails_counted(staff_client, mix):
    response = staff_client.get(URL)
    [link] = [
        url
        for label, count, url, windowed in response.context["mails"]
        if "state__exact=sent" in url
    ]
    listing = staff_client.get(link)
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1


def test_only_those_who_never_answered_count_among_the_asked(staff, settings):
    """Erased for never answering: asked, whenever it was. Erased at their wish or by
    staff: counted in the window by reason, never as asked-and-silent."""
    settings.ASKFIRST_SCHEDULE = SCHEDULE
    today = timezone.localdate()
    ErasureCount.objects.create(day=today - timedelta(days=400), reason="expired", count=5)
    ErasureCount.objects.create(day=today, reason="expired", count=2)
    ErasureCount.objects.create(day=today, reason="person", count=3)
    ErasureCount.objects.create(day=today - timedelta(days=2), reason="staff", count=4)
    ErasureCount.objects.create(day=today - timedelta(days=90), reason="staff", count=9)

    campaign = campaign_counts()

    assert campaign.expired == 7
    assert campaign.asked == 7  # nobody held
    assert campaign.erasures == 9
    assert campaign.erasures_by_reason == {"expired": 2, "person": 3, "staff": 4}


@pytest.mark.parametrize(
    ("erase", "reason"),
    [("expiry", "expired"), ("portal", "person"), ("admin", "staff")],
)
def test_each_way_of_erasing_counts_its_reason(staff, staff_client, settings, erase, reason):
    settings.ASKFIRST_SCHEDULE = SCHEDULE
    contact = choose(make_contact(kind="prospect"), staff)
    if erase == "expiry":
        for _ in SCHEDULE:
            advance_all()
    elif erase == "portal":
        portal_erase(contact=contact)
    else:
        response = staff_client.post(
            f"/admin/contacts/contact/{contact.pk}/delete/", {"post": "yes"}
        )
        assert response.status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert list(ErasureCount.objects.values_list("reason", "count")) == [(reason, 1)]
