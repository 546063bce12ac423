"""Language: the mail's by default, else the browser's; the switch is a POST and is kept."""

import pytest

from tests.factories import make_contact
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db


def test_mail_language_is_the_default(client):
    contact = make_contact()
    contact.mail_language = "de"
    contact.save()
    enter(client, contact, language="de")
    assert b'<html lang="de">' in client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content


def test_browser_language_without_a_mail_language(client, db):
    assert b'lang="de"' in client.get("/portal/start/", HTTP_ACCEPT_LANGUAGE="de-DE").content
    assert b'lang="en"' in client.get("/portal/start/", HTTP_ACCEPT_LANGUAGE="en-GB").content


def test_switch_is_stored_on_the_contact_and_survives_a_new_session(client):
    contact = make_contact()
    enter(client, contact, language="en")
    response = client.post("/portal/language/", {"language": "de", "next": "/portal/consent/"})
    assert response.status_code == 303 and response["Location"] == "/portal/consent/"
    contact.refresh_from_db()
    assert contact.portal_language == "de"
    client.post("/portal/logout/")
    client.cookies.clear()
    enter(client, contact, language="en")
    page = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="de">' in page and "Übersicht" in page


def test_switch_before_login_and_unknown_values(client, db):
    client.post("/portal/language/", {"language": "de"})
    assert b'lang="de"' in client.get("/portal/start/", HTTP_ACCEPT_LANGUAGE="en").content
    client.post("/portal/language/", {"language": "fr", "next": "https://evil.example/"})
    response = client.post("/portal/language/", {"language": "en", "next": "//evil.example/"})
    assert response["Location"] == "/portal/start/"


def test_every_page_has_a_switch(client):
    contact = make_contact()
    enter(client, contact)
    for url in ["/portal/", "/portal/data/", "/portal/consent/", "/portal/start/"]:
        content = client.get(url, follow=True).content
        assert b'action="/portal/language/"' in content, url
