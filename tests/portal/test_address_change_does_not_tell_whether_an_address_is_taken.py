"""Asking to change to an address that belongs to another contact answers exactly as a free
address does, counts against the same limit, and is refused only at confirmation, where
the owner of that mailbox (not the asker) reads the refusal."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from askfirst.consent.services import Proof, contact_deactivate
from askfirst.contacts.models import Contact
from askfirst.portal.mails import EMAIL_CONFIRM
from askfirst.portal.models import EmailChange
from tests.factories import make_contact
from tests.portal.conftest import decoded, enter, outbox_mails, strip_csrf

pytestmark = pytest.mark.django_db

TAKEN = "taken@example.org"
FREE = "free@example.org"
CONFIRM = re.compile(r"/portal/email/confirm/([A-Za-z0-9_-]+)/")


def _ask(client, address):
    response = client.post("/portal/email/", {"new_email": address})
    data = client.get("/portal/data/")
    return response, strip_csrf(data.content).decode().replace(address, "ADDRESS")


def test_taken_and_free_addresses_get_the_same_answer(person):
    make_contact(email=TAKEN)
    taken, free = Client(), Client()
    enter(taken, person)
    enter(free, person)
    taken_response, taken_page = _ask(taken, TAKEN)
    free_response, free_page = _ask(free, FREE)
    assert taken_response.status_code == free_response.status_code == 303
    assert taken_response["Location"] == free_response["Location"]
    assert taken_response.content == free_response.content
    assert "We sent a link to the new address" in taken_page
    assert taken_page == free_page
    assert len(outbox_mails(EMAIL_CONFIRM, TAKEN)) == 1


def test_confirming_a_taken_address_is_refused(client, person):
    make_contact(email=TAKEN)
    enter(client, person)
    client.post("/portal/email/", {"new_email": TAKEN})
    token = CONFIRM.search(decoded(outbox_mails(EMAIL_CONFIRM, TAKEN)[0])).group(1)
    owner = Client()
    owner.get(f"/portal/email/confirm/{token}/")
    response = owner.post("/portal/email/confirm/")
    assert response.status_code == 409
    assert b"cannot be used" in response.content
    assert Contact.objects.get(pk=person.pk).email == "anna.beispiel@example.org"
    assert not EmailChange.objects.exists()


def test_taken_addresses_count_against_the_limit(client, person, settings):
    make_contact(email=TAKEN)
    enter(client, person)
    most = 3
    settings.ASKFIRST_PORTAL_EMAIL_CHANGE_LIMIT = (most, timedelta(hours=1))
    for _ in range(most):
        assert client.post("/portal/email/", {"new_email": TAKEN}).status_code == 303
    assert client.post("/portal/email/", {"new_email": TAKEN}).status_code == 429
    assert client.post("/portal/email/", {"new_email": FREE}).status_code == 429


def test_a_deactivated_address_is_not_written_to_but_answered_alike(client, person):
    contact_deactivate(contact=make_contact(email=TAKEN), proof=Proof(channel="mail_link"))
    enter(client, person)
    response, page = _ask(client, TAKEN)
    assert response.status_code == 303
    assert "We sent a link to the new address" in page
    assert EmailChange.objects.filter(contact=person, new_email=TAKEN).exists()
    assert outbox_mails(EMAIL_CONFIRM, TAKEN) == []
