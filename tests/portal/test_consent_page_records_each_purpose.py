"""Consent: four purposes with their current text, nothing pre-ticked, one button each way,
every change a ledger event with channel portal and the text version shown."""

import pytest

from askfirst.consent.models import ConsentEvent, Purpose
from askfirst.consent.services import consent_states, consent_text_add, consent_text_current
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db


def _post(client, purpose, decision, language="en"):
    text = consent_text_current(purpose=Purpose.objects.get(key=purpose), language=language)
    return client.post(
        "/portal/consent/",
        {"purpose": purpose, "decision": decision, "text": text.pk if text else ""},
    )


def test_page_shows_every_purpose_and_its_text_and_nothing_checked(client, person):
    enter(client, person)
    content = client.get("/portal/consent/").content.decode()
    for purpose in Purpose.objects.all():
        assert purpose.name_en in content
        text = consent_text_current(purpose=purpose, language="en")
        if text:
            assert f"Text version {text.version}" in content
    assert "checked" not in content
    assert content.count('name="decision" value="grant"') == 1  # others need storage first


def test_grant_and_withdraw_one_by_one_with_proof(client, person):
    enter(client, person)
    assert _post(client, "storage", "grant").status_code == 303
    assert _post(client, "newsletter", "grant").status_code == 303
    assert consent_states(contact=person) == {"storage": True, "newsletter": True}
    assert _post(client, "newsletter", "withdraw").status_code == 303
    assert consent_states(contact=person) == {"storage": True, "newsletter": False}
    events = list(ConsentEvent.objects.filter(contact=person).order_by("seq"))
    assert [(e.purpose.key, e.action) for e in events] == [
        ("storage", "granted"),
        ("newsletter", "granted"),
        ("newsletter", "withdrawn"),
    ]
    for event in events:
        assert event.channel == "portal"
        assert event.language == "en"
        assert event.token_hash  # the link that opened the session
        current = consent_text_current(purpose=event.purpose, language="en")
        assert event.text_id == (current.pk if current else None)


def test_withdrawing_storage_offers_deactivate_or_delete(client, person):
    enter(client, person)
    _post(client, "storage", "grant")
    response = _post(client, "storage", "withdraw")
    assert response.status_code == 303 and response["Location"] == "/portal/leave/"
    page = client.get("/portal/leave/").content.decode()
    assert "withdrawn your consent to storing" in page
    assert "/portal/deactivate/" in page and "/portal/delete/" in page


def test_text_changed_since_the_page_was_shown(client, person):
    enter(client, person)
    storage = Purpose.objects.get(key="storage")
    shown = consent_text_current(purpose=storage, language="en")
    consent_text_add(purpose=storage, language="en", body="A new wording.")
    response = client.post(
        "/portal/consent/",
        {"purpose": "storage", "decision": "grant", "text": shown.pk if shown else ""},
    )
    assert response.status_code == 409
    assert b"A new wording." in response.content
    assert not ConsentEvent.objects.exists()


def test_german_page_records_german_text(client, person):
    person.portal_language = "de"
    person.save()
    enter(client, person)
    assert _post(client, "storage", "grant", language="de").status_code == 303
    event = ConsentEvent.objects.get()
    assert event.language == "de"
    current = consent_text_current(purpose=event.purpose, language="de")
    assert event.text_id == (current.pk if current else None)
