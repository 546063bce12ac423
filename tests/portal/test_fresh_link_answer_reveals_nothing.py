"""Asking for a fresh link: the same bytes and about the same time, known address or not."""

import time

import pytest

from askfirst.mail.models import MailName, Outbox
from tests.portal.conftest import strip_csrf

pytestmark = pytest.mark.django_db

FLOOR = 0.3


def _ask(client, email):
    started = time.monotonic()
    response = client.post("/portal/link/", {"email": email})
    return response, time.monotonic() - started


def test_known_and_unknown_addresses_get_identical_answers(client, person, settings):
    settings.ASKFIRST_PORTAL_LINK_FLOOR = FLOOR
    known, known_time = _ask(client, person.email)
    unknown, unknown_time = _ask(client, "nobody-here@example.org")

    assert known.status_code == unknown.status_code == 303
    assert known.content == unknown.content
    assert sorted(known.items()) == sorted(unknown.items())
    assert known.cookies.output() == unknown.cookies.output() == ""

    # The page behind the redirect is the same too (up to the per-response CSRF mask).
    page_known = client.get(known["Location"]).content
    page_unknown = client.get(unknown["Location"]).content
    assert strip_csrf(page_known) == strip_csrf(page_unknown)

    assert known_time >= FLOOR and unknown_time >= FLOOR
    assert abs(known_time - unknown_time) < 0.1

    # Only the known address got a mail, with a portal link.
    mails = list(Outbox.objects.filter(name=MailName.PORTAL))
    assert [m.recipient for m in mails] == [person.email]


def test_deactivated_address_gets_the_same_answer_and_no_mail(client, person):
    from askfirst.consent.services import Proof, contact_deactivate

    contact_deactivate(contact=person, proof=Proof(channel="portal"))
    response, _ = _ask(client, person.email)
    assert response.status_code == 303
    assert not Outbox.objects.filter(name=MailName.PORTAL).exists()


def test_malformed_address_is_told_without_revealing_anything(client, db):
    response = client.post("/portal/link/", {"email": "not an address"})
    assert response.status_code == 400
    assert b"valid email address" in response.content
