"""A yes by mail link records the very consent text its page showed (PRODUCT §3).

The yes page shows the current storage text and its form names that version.
The answer records exactly that version while it is still current. A version
published between showing and answering is shown instead (409), and a form
that names no version of that text is refused (400); neither records anything.
Deactivation shows no consent text and needs none; it still names the current
storage text in its withdrawal, as before.
"""

import re

import pytest

from askfirst.consent.models import ConsentEvent, ConsentText, Purpose
from askfirst.consent.services import consent_text_add
from askfirst.contacts.models import Status
from askfirst.lifecycle import links as links_module
from askfirst.lifecycle.links import link_text_current
from askfirst.lifecycle.models import LinkToken
from askfirst.lifecycle.services import token_hash
from askfirst.lifecycle.worker import Worker
from tests.lifecycle.helpers import asking_contact, links, token_of

pytestmark = pytest.mark.django_db

SHOWN = re.compile(r'name="text" value="(\d*)"')


def _mailed_yes(smtp, language: str = "de"):
    contact = asking_contact(language=language)
    Worker(smtp=smtp.target).run_once()
    return contact, links(smtp.store.to(contact.email)[-1])["yes"]


def _shown(response) -> str:
    """The text id the page's form will post."""
    (value,) = SHOWN.findall(response.content.decode())
    return value


def _publish(language: str = "de", body: str = "Neue Fassung: Wir speichern Ihre Daten."):
    storage = Purpose.objects.get(key="storage")
    return consent_text_add(purpose=storage, language=language, body=body)


def _nothing_recorded(contact, yes: str) -> None:
    contact.refresh_from_db()
    assert contact.status == Status.ASKING
    assert not ConsentEvent.objects.filter(contact=contact).exists()
    assert LinkToken.objects.get(token_hash=token_hash(token_of(yes))).used_at is None


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_answer_names_the_text_the_page_showed(smtp, client, language):
    contact, yes = _mailed_yes(smtp, language)
    current = link_text_current(language=language)
    page = client.get(yes)
    assert current.body in page.content.decode()
    assert _shown(page) == str(current.pk)

    assert client.post(yes, {"text": _shown(page)}).status_code == 200

    event = ConsentEvent.objects.get(contact=contact)
    assert (event.action, event.text_id, event.text_hash) == (
        "granted",
        current.pk,
        current.body_hash,
    )


def test_a_text_published_after_the_page_was_shown_is_shown_again(smtp, client):
    contact, yes = _mailed_yes(smtp)
    old = _shown(client.get(yes))
    new = _publish()

    again = client.post(yes, {"text": old})

    assert again.status_code == 409
    page = again.content.decode()
    assert "Der Text hat sich geändert" in page or "The text has changed" in page
    assert new.body in page
    assert _shown(again) == str(new.pk)
    _nothing_recorded(contact, yes)

    # Confirmed on the new text: that version is the one recorded.
    assert client.post(yes, {"text": _shown(again)}).status_code == 200
    assert ConsentEvent.objects.get(contact=contact).text_id == new.pk


def test_a_text_published_while_the_answer_is_recorded_rolls_it_back(smtp, client, monkeypatch):
    """The check passed, then a new version came before consent_record took the
    contact's lock: the event would name a text nobody showed. (Published here
    inside the answer's transaction, standing in for another connection's
    commit at that moment; it is rolled back with the answer.)"""
    contact, yes = _mailed_yes(smtp)
    shown = _shown(client.get(yes))
    real = links_module.consent_record

    def publish_then_record(**kwargs):
        _publish()
        return real(**kwargs)

    monkeypatch.setattr(links_module, "consent_record", publish_then_record)

    response = client.post(yes, {"text": shown})

    assert response.status_code == 409
    _nothing_recorded(contact, yes)
    # The version published inside the answer went with it.
    assert link_text_current(language="de").pk == int(shown)


def _forged(case: str) -> dict[str, str]:
    storage_en = link_text_current(language="en")
    other = ConsentText.objects.exclude(purpose__key="storage").first()
    assert storage_en is not None and other is not None
    return {
        "missing": {},
        "not a number": {"text": "abc"},
        "negative": {"text": "-1"},
        "padded": {"text": f" {link_text_current(language='de').pk}"},
        "huge": {"text": "9" * 40},
        "no such text": {"text": "987654321"},
        "another purpose's text": {"text": str(other.pk)},
        "the other language's text": {"text": str(storage_en.pk)},
    }[case]


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "not a number",
        "negative",
        "padded",
        "huge",
        "no such text",
        "another purpose's text",
        "the other language's text",
    ],
)
def test_a_form_naming_no_version_of_the_text_is_refused(smtp, client, case):
    contact, yes = _mailed_yes(smtp, "de")

    response = client.post(yes, _forged(case))

    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    # The page to answer again: the current text, and a form naming it.
    current = link_text_current(language="de")
    assert current.body in page
    assert _shown(response) == str(current.pk)
    _nothing_recorded(contact, yes)


def test_deactivating_needs_no_text_and_names_the_current_one_as_before(smtp, client):
    contact = asking_contact(language="en")
    Worker(smtp=smtp.target).run_once()
    deactivate = links(smtp.store.to(contact.email)[-1])["deactivate"]
    page = client.get(deactivate)
    assert not SHOWN.findall(page.content.decode())
    current = link_text_current(language="en")

    assert client.post(deactivate).status_code == 200

    contact.refresh_from_db()
    assert contact.status == Status.DEACTIVATED
    event = ConsentEvent.objects.get(contact=contact)
    assert (event.action, event.text_id) == ("withdrawn", current.pk)
