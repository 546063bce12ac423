"""The request is the GDPR Art. 14 notice: besides the data and its source it says
what the data is used for, on which legal basis, and that consent can be withdrawn
at any time — in each language of a bilingual mail. Databases still holding the
earlier shipped wording get this one as a new version; staff-edited texts stay."""

import hashlib

import pytest

from askfirst.lifecycle.worker import Worker
from askfirst.mail.models import MailTemplate
from askfirst.mail.services import mail_template_defaults, mail_text_upgrade
from tests.lifecycle.helpers import asking_contact, mail_text

pytestmark = pytest.mark.django_db


def test_a_bilingual_request_says_it_in_both_languages(smtp):
    contact = asking_contact(language="de+en")
    Worker(smtp=smtp.target).run_once()
    text = " ".join(mail_text(smtp.store.to(contact.email)[-1]).split())
    for said in (
        "Wofür: Wir nutzen Ihre Kontaktdaten",
        "Rechtsgrundlage:",
        "Art. 6 Abs. 1 lit. f DSGVO",
        "Art. 6 Abs. 1 lit. a DSGVO",
        "jederzeit mit Wirkung für die Zukunft widerrufen",
        "What for: we use your contact details",
        "Legal basis:",
        "Art. 6(1)(f) GDPR",
        "Art. 6(1)(a) GDPR",
        "withdraw your consent at any time with effect for the future",
    ):
        assert said in text


def _current(language: str) -> MailTemplate:
    return MailTemplate.objects.filter(name="request", language=language).latest("version")


def _set_current(language: str, body: str) -> None:
    current = _current(language)
    MailTemplate.objects.create(
        name="request",
        language=language,
        version=current.version + 1,
        subject=current.subject,
        body=body,
    )


def test_an_earlier_shipped_text_is_superseded_by_the_new_one():
    _set_current("de", "the wording shipped before\n")
    before = _current("de").version
    shipped = {hashlib.sha256(b"the wording shipped before\n").hexdigest()}

    assert mail_text_upgrade(name="request", language="de", replaces=shipped)

    newest = _current("de")
    assert newest.version == before + 1
    assert newest.body == mail_template_defaults()[("request", "de")][1]


def test_a_text_staff_wrote_is_left_alone():
    _set_current("en", "Our own wording, $yes_url $deactivate_url $portal_url\n")
    before = _current("en").version
    shipped = {hashlib.sha256(b"the wording shipped before\n").hexdigest()}

    assert not mail_text_upgrade(name="request", language="en", replaces=shipped)

    assert _current("en").version == before
    assert _current("en").body.startswith("Our own wording")
