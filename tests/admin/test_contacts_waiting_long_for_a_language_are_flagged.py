"""Contacts left in the language queue are people not yet told we hold their data
(GDPR Art. 14(3): a month at most). The admin index warns once one has waited longer
than ASKFIRST_QUEUE_WARN_AFTER and links to exactly those contacts."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.admin.campaign import choose
from tests.factories import make_contact

pytestmark = pytest.mark.django_db

LINK = 'href="/admin/contacts/contact/?status__exact=queued&amp;waiting=overdue"'


def test_only_those_waiting_too_long_are_counted_and_listed(staff_client, staff, settings):
    settings.ASKFIRST_QUEUE_WARN_AFTER = timedelta(days=14)
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=20)):
        old = make_contact(email="alt@beispiel.de")
        answered_meanwhile = choose(make_contact(email="gewaehlt@beispiel.de"), staff)
    with time_machine.travel(start - timedelta(days=13)):
        make_contact(email="neu@beispiel.de")
    assert answered_meanwhile.status == "asking"

    index = staff_client.get("/admin/").content.decode()
    assert LINK in index
    assert "1 contact has waited more than 14 days for a mail language" in index

    listing = staff_client.get("/admin/contacts/contact/?status__exact=queued&waiting=overdue")
    assert [c.pk for c in listing.context["cl"].result_list] == [old.pk]


def test_no_warning_while_everyone_is_recent(staff_client, settings):
    settings.ASKFIRST_QUEUE_WARN_AFTER = timedelta(days=14)
    with time_machine.travel(timezone.now() - timedelta(days=13, hours=23)):
        make_contact()
    assert "askfirst-queue-overdue" not in staff_client.get("/admin/").content.decode()
