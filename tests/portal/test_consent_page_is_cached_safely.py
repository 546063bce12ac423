"""The consent page is rendered once per process for each set of purposes, texts and
answers (askfirst/portal/rendering.py): a new text, a changed purpose or a changed answer
shows on the next request, every response carries its own valid CSRF token, and the
cached page is byte for byte what a fresh rendering gives and holds nothing personal."""

import re

import pytest
from django.conf import settings as django_settings
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from askfirst.consent.models import ConsentEvent, ConsentText, Purpose
from askfirst.consent.services import (
    Proof,
    consent_record,
    consent_states,
    consent_text_add,
    consent_text_current,
)
from tests.factories import make_contact
from tests.portal.conftest import enter, strip_csrf

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _page(client) -> str:
    response = client.get("/portal/consent/")
    assert response.status_code == 200
    return response.content.decode()


def _newsletter_text_id(page: str) -> str:
    form = re.search(r'value="newsletter">.*?name="text" value="([^"]*)"', page, re.S)
    assert form, page
    return form.group(1)


def test_a_new_text_version_shows_at_once(client, person):
    enter(client, person)
    consent_record(
        contact=person, purpose_key="storage", granted=True, proof=Proof(channel="import")
    )
    newsletter = Purpose.objects.get(key="newsletter")
    old = consent_text_current(purpose=newsletter, language="en")
    before = _page(client)
    assert strip_csrf(_page(client).encode()) == strip_csrf(before.encode())  # from the cache

    new = consent_text_add(purpose=newsletter, language="en", body="A brand-new wording.")

    after = _page(client)
    assert "A brand-new wording." in after
    assert f"Text version {new.version}" in after
    assert _newsletter_text_id(after) == str(new.pk)
    assert old is None or _newsletter_text_id(before) == str(old.pk)


def test_an_unshown_text_edited_in_place_shows_at_once(client, person):
    """A version nobody was shown yet may still be corrected (same id, same version)."""
    enter(client, person)
    storage = Purpose.objects.get(key="storage")
    text = consent_text_add(purpose=storage, language="en", body="First draft.")
    assert "First draft." in _page(client)
    text.body = "Corrected draft."
    text.save()
    page = _page(client)
    assert "Corrected draft." in page and "First draft." not in page


def test_a_renamed_purpose_shows_at_once(client, person):
    enter(client, person)
    assert "Storage and processing" in _page(client)
    Purpose.objects.filter(key="storage").update(
        name_en="Keeping your data", description_en="Why we keep it."
    )
    page = _page(client)
    assert "Keeping your data" in page and "Why we keep it." in page


def test_an_answer_given_elsewhere_shows_at_once(client, person):
    enter(client, person)
    assert 'name="decision" value="grant"' in _page(client)
    assert "agreed" not in _page(client)
    # Another channel (staff, API, mail link) records an answer meanwhile.
    consent_record(contact=person, purpose_key="storage", granted=True, proof=Proof(channel="api"))
    page = _page(client)
    assert "agreed" in page and 'value="withdraw"' in page
    consent_record(contact=person, purpose_key="storage", granted=False, proof=Proof(channel="api"))
    page = _page(client)
    assert "withdrawn" in page and 'value="withdraw"' not in page


def test_each_response_has_its_own_token_and_django_accepts_it(person):
    client = Client(enforce_csrf_checks=True)
    enter(client, person)
    opened = client.get("/portal/consent/")  # no CSRF cookie yet: Django's get_token makes one
    first = opened.content.decode()
    assert opened.cookies[django_settings.CSRF_COOKIE_NAME].value
    response = client.get("/portal/consent/")
    # The browser holds the cookie: it is not sent again just to renew its expiry.
    assert django_settings.CSRF_COOKIE_NAME not in response.cookies
    secret = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    tokens = TOKEN.findall(response.content.decode())
    assert len(tokens) == 3  # language switch, logout, the one grant form
    assert len(set(tokens)) == 1  # one token per response, as render() gives
    assert tokens[0] not in first
    assert len(tokens[0]) == 64 and _unmask_cipher_token(tokens[0]) == secret
    assert len({TOKEN.search(_page(client)).group(1) for _ in range(5)}) == 5
    text = consent_text_current(purpose=Purpose.objects.get(key="storage"), language="en")
    posted = client.post(
        "/portal/consent/",
        {
            "csrfmiddlewaretoken": tokens[0],
            "purpose": "storage",
            "decision": "grant",
            "text": text.pk if text else "",
        },
    )
    assert posted.status_code == 303
    assert consent_states(contact=person) == {"storage": True}
    tampered = tokens[0][:-1] + ("A" if tokens[0][-1] != "A" else "B")
    refused = client.post(
        "/portal/consent/",
        {"csrfmiddlewaretoken": tampered, "purpose": "storage", "decision": "withdraw"},
    )
    assert refused.status_code == 403
    assert ConsentEvent.objects.count() == 1


def test_the_cached_page_is_the_rendered_page(client, person, settings):
    person.portal_language = "de"
    person.save()
    enter(client, person)
    consent_record(
        contact=person, purpose_key="storage", granted=True, proof=Proof(channel="import")
    )
    _page(client)
    cached = client.get("/portal/consent/")
    settings.DEBUG = True  # renders afresh, with Django's own CSRF token
    fresh = client.get("/portal/consent/")
    assert strip_csrf(cached.content) == strip_csrf(fresh.content)
    assert b'<html lang="de">' in cached.content
    assert dict(cached.headers) == dict(fresh.headers)
    assert not cached.cookies and not fresh.cookies  # the browser has them: nothing resent


def test_two_people_share_a_page_but_nothing_personal(db):
    one = make_contact(
        email="quirin.quast@example.org", first_name="Quirin", last_name="Quast", city="Xanten"
    )
    other = make_contact(
        email="zora.zwick@example.org", first_name="Zora", last_name="Zwick", city="Ulm"
    )
    anna, bruno = Client(), Client()
    enter(anna, one)
    enter(bruno, other)
    first = _page(anna)
    second = _page(bruno)
    assert strip_csrf(first.encode()) == strip_csrf(second.encode())
    for value in ["Quirin", "Quast", "Xanten", "Zora", "Zwick", "Ulm", "example.org"]:
        assert value not in first and value not in second
    consent_record(contact=other, purpose_key="storage", granted=True, proof=Proof(channel="api"))
    assert "agreed" in _page(bruno) and "agreed" not in _page(anna)


def test_a_message_and_a_query_string_are_rendered_afresh(client, person):
    enter(client, person)
    _page(client)
    text = consent_text_current(purpose=Purpose.objects.get(key="storage"), language="en")
    client.post(
        "/portal/consent/",
        {"purpose": "storage", "decision": "grant", "text": text.pk if text else ""},
    )
    assert "Saved: you agreed to" in _page(client)
    assert "Saved: you agreed to" not in _page(client)  # shown once
    page = client.get("/portal/consent/?from=<b>mail</b>").content.decode()
    assert 'name="next" value="/portal/consent/?from=%3Cb%3Email%3C/b%3E"' in page


def test_the_language_of_the_page_is_part_of_the_key(client, person):
    # Without texts the rows are the same in both languages: only the key tells them apart.
    ConsentText.objects.all().delete()
    enter(client, person)
    english = _page(client)
    client.post("/portal/language/", {"language": "de", "next": "/portal/consent/"})
    german = _page(client)
    assert '<html lang="en">' in english and '<html lang="de">' in german
    assert "Einwilligung" in german


def test_a_session_ended_elsewhere_is_not_kept_alive_by_the_cache(client, person):
    enter(client, person)
    _page(client)
    from askfirst.portal.models import PortalSession

    PortalSession.objects.all().delete()  # "log out everywhere" as another process does it
    response = client.get("/portal/consent/")
    assert response.status_code == 302 and response["Location"] == "/portal/start/"


def test_a_malformed_csrf_cookie_is_replaced(client, person):
    enter(client, person)
    client.cookies[django_settings.CSRF_COOKIE_NAME] = "short"
    response = client.get("/portal/consent/")
    fresh = response.cookies[django_settings.CSRF_COOKIE_NAME].value
    assert len(fresh) == 32 and fresh != "short"
    token = TOKEN.search(response.content.decode()).group(1)
    assert _unmask_cipher_token(token) == fresh
