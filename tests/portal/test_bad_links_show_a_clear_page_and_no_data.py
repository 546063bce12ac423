"""Expired, forged and after-delete links: a clear page, status 404/410, no data, no session."""

from datetime import timedelta

import pytest

from askfirst.contacts.services import contact_erase
from askfirst.lifecycle.models import LinkToken
from tests.factories import make_contact
from tests.portal.conftest import issue_link

pytestmark = pytest.mark.django_db


def _assert_no_data(response, contact_email):
    assert contact_email.encode() not in response.content
    assert b"Mustermann" not in response.content


def test_forged_link(client):
    contact = make_contact()
    response = client.get("/portal/enter/forged-token-that-never-existed/", follow=True)
    assert response.status_code == 404
    assert b"This link does not work" in response.content
    _assert_no_data(response, contact.email)
    assert client.get("/portal/").status_code == 302


def test_overlong_link(client, db):
    assert client.get("/portal/enter/" + "x" * 300 + "/", follow=True).status_code == 404


def test_expired_link(client):
    contact = make_contact()
    token = issue_link(contact)
    LinkToken.objects.update(expires_at=LinkToken.objects.get().created_at - timedelta(seconds=1))
    response = client.get(f"/portal/enter/{token}/", follow=True)
    assert response.status_code == 410
    assert b"expired" in response.content
    _assert_no_data(response, contact.email)
    assert client.get("/portal/").status_code == 302


def test_link_of_an_erased_person(client):
    contact = make_contact()
    token = issue_link(contact)
    email = contact.email
    contact_erase(contact=contact)
    response = client.get(f"/portal/enter/{token}/", follow=True)
    assert response.status_code == 404
    _assert_no_data(response, email)


def test_open_session_ends_when_the_person_is_erased(client):
    contact = make_contact()
    token = issue_link(contact)
    client.get(f"/portal/enter/{token}/")
    assert client.get("/portal/").status_code == 200
    contact_erase(contact=contact)
    response = client.get("/portal/data/")
    assert response.status_code == 302 and response["Location"] == "/portal/start/"


def test_invalid_link_page_in_german(client, db):
    response = client.get("/portal/enter/nope/", HTTP_ACCEPT_LANGUAGE="de", follow=True)
    assert b'lang="de"' in response.content
    assert b"Dieser Link funktioniert nicht" in response.content


def test_the_token_leaves_the_address_bar_without_a_referrer(client):
    contact = make_contact()
    token = issue_link(contact)
    response = client.get(f"/portal/enter/{token}/")
    assert response.status_code == 302 and token not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer"
    bad = client.get("/portal/enter/nope/")
    assert bad.status_code == 303 and "nope" not in bad["Location"]
