"""Passwords: Argon2id, 15 characters at least, no composition rules, common ones refused;
a new session id at login; a change ends the other sessions and is told by mail."""

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client

from askfirst import settings as project_settings
from askfirst.portal.mails import PASSWORD_CHANGED
from askfirst.portal.models import PortalLogin
from tests.portal.conftest import enter, outbox_mails

pytestmark = pytest.mark.django_db

GOOD = "meine katze schläft gern"  # lower case and spaces only: no composition rules


def _set(client, password, again=None):
    return client.post(
        "/portal/password/", {"password": password, "password_again": again or password}
    )


def test_stored_as_argon2id(client, person, settings):
    # The project's own hashers: the test suite swaps in a fast one for every test.
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    enter(client, person)
    assert _set(client, GOOD).status_code == 303
    stored = PortalLogin.objects.get(contact=person).password_hash
    assert stored.startswith("argon2$argon2id$")
    assert GOOD not in stored
    assert check_password(GOOD, stored)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short but ok?", b"at least 15 characters"),
        ("1q2w3e4r5t6y7u8i9o0p", b"too common"),
        ("anna.beispiel@example.org!", b"too similar"),
    ],
)
def test_refused(client, person, password, message):
    enter(client, person)
    response = _set(client, password)
    assert response.status_code == 400
    assert message in response.content
    assert not PortalLogin.objects.filter(contact=person).exclude(password_hash="").exists()


def test_mismatch_refused(client, person):
    enter(client, person)
    assert _set(client, GOOD, GOOD + "!").status_code == 400


def test_login_with_password_gives_a_new_session_id(client, person):
    enter(client, person)
    _set(client, GOOD)
    client.post("/portal/logout/")
    assert client.get("/portal/").status_code == 302
    client.get("/portal/start/")
    before = client.session.session_key
    response = client.post("/portal/login/", {"email": person.email, "password": GOOD})
    assert response.status_code == 303
    assert client.session.session_key != before
    assert client.get("/portal/").status_code == 200


def test_wrong_password_and_unknown_address_get_the_same_answer(client, person):
    enter(client, person)
    _set(client, GOOD)
    client.post("/portal/logout/")
    wrong = client.post("/portal/login/", {"email": person.email, "password": "x" * 20})
    unknown = client.post("/portal/login/", {"email": "ghost@example.org", "password": "x" * 20})
    assert wrong.status_code == unknown.status_code == 400
    assert b"not right" in wrong.content and b"not right" in unknown.content


def test_change_ends_other_sessions_and_tells_the_person(person):
    phone, laptop = Client(), Client()
    enter(phone, person)
    enter(laptop, person)
    assert _set(laptop, GOOD).status_code == 303
    assert laptop.get("/portal/").status_code == 200  # this session lives on
    assert phone.get("/portal/").status_code == 302  # the other one ended
    mails = outbox_mails(PASSWORD_CHANGED, person.email)
    assert len(mails) == 1
    # A second change ends the laptop's old sessions too, and mails again.
    enter(phone, person)
    assert _set(phone, GOOD + " und mehr").status_code == 303
    assert laptop.get("/portal/").status_code == 302
    assert len(outbox_mails(PASSWORD_CHANGED, person.email)) == 2


def test_logout_ends_the_session(client, person):
    enter(client, person)
    response = client.post("/portal/logout/")
    assert response.status_code == 303
    assert client.get("/portal/data/").status_code == 302
