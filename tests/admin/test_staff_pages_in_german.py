"""The dashboard, the timeline and the review markers render for staff who read German."""

import pytest

from tests.admin.campaign import SCHEDULE, build_campaign

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}


@pytest.fixture
def mix(settings, staff):
    settings.ASKFIRST_SCHEDULE = SCHEDULE
    settings.ASKFIRST_CUSTOMER_EXPIRY = "restrict"
    return build_campaign(staff)


def test_the_dashboard_renders_in_german(staff_client, mix):
    response = staff_client.get("/admin/contacts/contact/campaign/", **GERMAN)
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="de"' in content
    assert "Speicherung und Verarbeitung" in content  # the purpose's German name
    assert 'id="askfirst-funnel-chart"' in content


def test_the_index_list_and_timeline_render_in_german(staff_client, mix):
    for url in (
        "/admin/",
        "/admin/contacts/contact/",
        f"/admin/contacts/contact/{mix['answered'].pk}/change/",
        f"/admin/contacts/contact/{mix['restricted'].pk}/change/",
        f"/admin/mail/outbox/?contact={mix['late'].pk}",
    ):
        response = staff_client.get(url, **GERMAN)
        assert response.status_code == 200, url
        assert '<html lang="de"' in response.content.decode(), url
    timeline = staff_client.get(
        f"/admin/contacts/contact/{mix['answered'].pk}/change/", **GERMAN
    ).content.decode()
    assert "askfirst-timeline-table" in timeline
    assert "Speicherung und Verarbeitung" in timeline
