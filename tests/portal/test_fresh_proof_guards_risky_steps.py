"""Delete, address change, password and download need a link under an hour old or a password."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password

from askfirst.contacts.models import Contact
from askfirst.mail.models import MailName, Outbox
from askfirst.portal.models import PortalLogin
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db

GUARDED = ["/portal/delete/", "/portal/email/", "/portal/password/", "/portal/copy/download/"]
OPEN = ["/portal/", "/portal/data/", "/portal/consent/", "/portal/history/", "/portal/copy/"]


def test_old_link_is_sent_to_fresh_proof(client, person):
    enter(client, person, age=timedelta(hours=2))
    for url in OPEN:
        assert client.get(url).status_code == 200, url
    for url in GUARDED:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/portal/fresh/?next="), url
    response = client.post("/portal/delete/", {"confirm": "yes"})
    assert response.status_code == 302
    assert Contact.objects.filter(pk=person.pk).exists()


def test_new_link_is_fresh(client, person):
    enter(client, person, age=timedelta(minutes=59))
    for url in GUARDED:
        assert client.get(url).status_code == 200, url


def test_fresh_page_sends_a_new_link_to_the_own_address(client, person):
    enter(client, person, age=timedelta(days=3))
    response = client.post("/portal/fresh/", {"how": "link", "next": "/portal/delete/"})
    assert response.status_code == 200
    assert Outbox.objects.filter(name=MailName.PORTAL, recipient=person.email).count() == 1


def test_password_makes_an_old_session_fresh(client, person):
    PortalLogin.objects.create(
        contact=person, password_hash=make_password("long enough passphrase")
    )
    enter(client, person, age=timedelta(days=3))
    page = client.get("/portal/fresh/?next=/portal/delete/")
    assert b'type="password"' in page.content
    wrong = client.post("/portal/fresh/", {"how": "password", "password": "nope nope nope nope"})
    assert wrong.status_code == 400
    response = client.post(
        "/portal/fresh/",
        {"how": "password", "password": "long enough passphrase", "next": "/portal/delete/"},
    )
    assert response.status_code == 303 and response["Location"] == "/portal/delete/"
    assert client.get("/portal/delete/").status_code == 200


def test_password_session_goes_stale_after_an_hour(client, person, settings):
    settings.ASKFIRST_PORTAL_FRESH_PROOF = timedelta(seconds=0)
    PortalLogin.objects.create(
        contact=person, password_hash=make_password("long enough passphrase")
    )
    client.post("/portal/login/", {"email": person.email, "password": "long enough passphrase"})
    assert client.get("/portal/delete/").status_code == 302


def test_next_cannot_leave_the_portal(client, person):
    PortalLogin.objects.create(
        contact=person, password_hash=make_password("long enough passphrase")
    )
    enter(client, person, age=timedelta(days=3))
    response = client.post(
        "/portal/fresh/",
        {"how": "password", "password": "long enough passphrase", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/portal/"
