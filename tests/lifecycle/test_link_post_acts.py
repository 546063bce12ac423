"""Pressing the button (POST) acts: yes records consent with proof; no deactivates."""

import pytest

from askfirst.consent.models import ConsentEvent
from askfirst.contacts.models import Status
from askfirst.lifecycle.models import LinkToken
from askfirst.lifecycle.services import token_hash
from askfirst.lifecycle.worker import Worker
from tests.lifecycle.helpers import asking_contact, links, token_of, yes_form

pytestmark = pytest.mark.django_db


def _mail_links(smtp, language="de"):
    contact = asking_contact(language=language)
    Worker(smtp=smtp.target).run_once()
    return contact, links(smtp.store.messages()[-1])


def test_yes_records_storage_consent_with_the_token_as_proof(smtp, client):
    contact, tokens = _mail_links(smtp)
    response = client.post(tokens["yes"], yes_form())
    assert response.status_code == 200
    page = response.content.decode()
    assert "/l/" in page  # a fresh link to the portal
    contact.refresh_from_db()
    assert contact.status == Status.ANSWERED
    assert contact.next_action_at is None
    event = ConsentEvent.objects.get(contact=contact)
    assert (event.purpose.key, event.action, event.channel) == ("storage", "granted", "mail_link")
    assert event.language == "de"
    assert event.token_hash == token_hash(token_of(tokens["yes"]))
    assert event.text is not None  # the wording shown on the page, by version
    assert LinkToken.objects.get(token_hash=event.token_hash).used_at is not None
    # Pressing again (a replayed form) records nothing new.
    assert client.post(tokens["yes"], yes_form()).status_code == 200
    assert ConsentEvent.objects.filter(contact=contact).count() == 1


def test_no_deactivates(smtp, client):
    contact, tokens = _mail_links(smtp, language="en")
    response = client.post(tokens["deactivate"])
    assert response.status_code == 200
    assert b"deactivated" in response.content
    contact.refresh_from_db()
    assert contact.status == Status.DEACTIVATED
    assert contact.first_name == ""
    assert contact.next_action_at is None
    # A later "yes" from an old mail cannot undo the deactivation.
    client.post(tokens["yes"], yes_form("en"))
    contact.refresh_from_db()
    assert contact.status == Status.DEACTIVATED


def test_the_post_needs_the_csrf_token(smtp):
    from django.test import Client

    contact, tokens = _mail_links(smtp)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(tokens["yes"]).status_code == 403
    contact.refresh_from_db()
    assert contact.status == Status.ASKING
    page = strict.get(tokens["yes"])
    csrf = page.cookies["csrftoken"].value
    import re

    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    strict.cookies["csrftoken"] = csrf
    response = strict.post(
        tokens["yes"], {"csrfmiddlewaretoken": form_token.group(1), **yes_form()}
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.status == Status.ANSWERED
