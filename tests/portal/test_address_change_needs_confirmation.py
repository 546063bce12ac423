"""A new address takes effect only after its link is confirmed; the old address is told."""

import re

import pytest
from django.test import Client

from askfirst.lifecycle.models import LinkToken
from askfirst.portal.mails import EMAIL_CHANGED, EMAIL_CONFIRM
from tests.portal.conftest import decoded, enter, issue_link, outbox_mails

pytestmark = pytest.mark.django_db

NEW = "anna.neu@example.net"
CONFIRM = re.compile(r"/portal/email/confirm/([A-Za-z0-9_-]+)/")


def _request_change(client, person, new=NEW):
    enter(client, person)
    return client.post("/portal/email/", {"new_email": new})


def test_change_waits_for_confirmation(client, person):
    old = person.email
    response = _request_change(client, person)
    assert response.status_code == 303
    person.refresh_from_db()
    assert person.email == old  # nothing changed yet
    (mail,) = outbox_mails(EMAIL_CONFIRM, NEW)
    token = CONFIRM.search(decoded(mail)).group(1)
    assert b"waiting" in client.get("/portal/data/").content

    # Opening the link (mail scanners do) changes nothing.
    other_device = Client()
    page = other_device.get(f"/portal/email/confirm/{token}/", follow=True)
    assert page.status_code == 200 and NEW.encode() in page.content
    person.refresh_from_db()
    assert person.email == old

    done = other_device.post("/portal/email/confirm/")
    assert done.status_code == 303
    person.refresh_from_db()
    assert person.email == NEW and person.email_key == NEW

    (told,) = outbox_mails(EMAIL_CHANGED, old)
    assert "a…@example.net" in decoded(told)
    # The confirming device is in; the old session ended; the link is spent.
    assert other_device.get("/portal/email/changed/").status_code == 200
    assert client.get("/portal/").status_code == 302
    other_device.get(f"/portal/email/confirm/{token}/")
    assert other_device.post("/portal/email/confirm/").status_code == 404


def test_old_links_stop_working_after_the_change(client, person):
    old_link = issue_link(person)
    _request_change(client, person)
    token = CONFIRM.search(decoded(outbox_mails(EMAIL_CONFIRM, NEW)[0])).group(1)
    client.get(f"/portal/email/confirm/{token}/")
    assert client.post("/portal/email/confirm/").status_code == 303
    assert not LinkToken.objects.filter(contact=person).exists()
    assert Client().get(f"/portal/enter/{old_link}/", follow=True).status_code == 404


@pytest.mark.parametrize(
    ("value", "message"),
    [("not-an-address", b"valid email"), ("ANNA.beispiel@example.org", b"already your address")],
)
def test_bad_new_address(client, person, value, message):
    response = _request_change(client, person, value)
    assert response.status_code == 400
    assert message in response.content
    assert outbox_mails(EMAIL_CONFIRM) == []


def test_forged_confirmation_link(client, db):
    assert client.get("/portal/email/confirm/forged/", follow=True).status_code == 404
