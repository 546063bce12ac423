"""The dashboard and the timeline cost a fixed number of queries, however much data there is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.admin.campaign import (
    SCHEDULE,
    advance_all,
    advance_when_due,
    build_campaign,
    choose,
    grant,
    staff_grant,
    started_days_ago,
)
from tests.factories import make_contact

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/contacts/contact/campaign/"


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_dashboard_does_not_grow_with_the_data(staff_client, staff, settings):
    settings.ASKFIRST_SCHEDULE = SCHEDULE
    settings.ASKFIRST_CUSTOMER_EXPIRY = "restrict"
    make_contact()
    staff_client.get(DASHBOARD)  # warm up: session, content types
    few = _queries(staff_client, DASHBOARD)

    for _round in range(3):
        build_campaign(staff)
    advance_all()
    many = _queries(staff_client, DASHBOARD)

    assert many == few
    assert few <= 12


def test_the_index_does_not_grow_with_the_data(staff_client, staff, settings):
    settings.ASKFIRST_SCHEDULE = SCHEDULE
    settings.ASKFIRST_CUSTOMER_EXPIRY = "restrict"
    staff_client.get("/admin/")
    few = _queries(staff_client, "/admin/")
    build_campaign(staff)
    assert _queries(staff_client, "/admin/") == few


def test_the_timeline_does_not_grow_with_the_mails(staff_client, staff, settings):
    settings.ASKFIRST_SCHEDULE = SCHEDULE
    quiet = started_days_ago(choose(make_contact(), staff), 20)
    busy = started_days_ago(choose(make_contact(), staff), 20)
    advance_when_due(quiet)
    for _step in range(3):
        advance_when_due(busy)
    grant(quiet)
    grant(busy)
    grant(busy, "newsletter")
    staff_grant(busy, staff, "tracking", note="By phone")
    staff_client.get(f"/admin/contacts/contact/{quiet.pk}/change/")

    one = _queries(staff_client, f"/admin/contacts/contact/{quiet.pk}/change/")
    several = _queries(staff_client, f"/admin/contacts/contact/{busy.pk}/change/")

    assert several == one
