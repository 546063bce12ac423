"""Every portal page answers in both languages for a person with a live link session."""

import pytest

from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db

PAGES = [
    "/portal/",
    "/portal/data/",
    "/portal/email/",
    "/portal/consent/",
    "/portal/interests/",
    "/portal/history/",
    "/portal/copy/",
    "/portal/password/",
    "/portal/leave/",
    "/portal/deactivate/",
    "/portal/delete/",
    "/portal/fresh/",
]


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_page_renders(client, person, language):
    person.portal_language = language
    person.save()
    enter(client, person)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">'.encode() in response.content, url
        assert response["Content-Language"] == language


def test_public_pages_render(client, db):
    for url in ["/portal/start/", "/portal/link/sent/", "/portal/logged-out/"]:
        response = client.get(url)
        assert response.status_code == 200, url
