"""Every mail is plain-text UTF-8 that Python's email package reads back intact.

Raw bytes are pure ASCII with CRLF line ends and lines of at most 78 characters
(body lines at most 76, quoted-printable); headers carry no defects.
"""

import email
import email.policy
import re

import pytest
from django.utils import timezone

from askfirst.contacts.models import Topic
from askfirst.lifecycle.services import (
    deletion_mail,
    lifecycle_advance,
    portal_link_send,
)
from askfirst.mail.models import MailName, Outbox
from askfirst.mail.services import mail_renderer
from tests.lifecycle.helpers import asking_contact

pytestmark = pytest.mark.django_db

UMLAUT_NAME = "Jürgen"
UMLAUT_LAST = "Größe-Weißmüller"
UMLAUT_COMPANY = "Bäckerei Öztürk & Söhne"


def _parse(raw: bytes, policy=email.policy.strict):
    return email.message_from_bytes(raw, policy=policy)


def check_wire_form(raw: bytes) -> None:
    assert raw.isascii()
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"\r" not in raw.replace(b"\r\n", b"")
    head, _, body = raw.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        assert len(line) <= 998
    for line in body.split(b"\r\n"):
        assert len(line) <= 76


def check_headers(message, *, languages: str, unsubscribe: bool) -> None:
    for name in ("Subject", "From", "To", "Date", "Message-ID", "Reply-To", "List-Id"):
        header = message[name]
        assert header is not None, name
        assert not header.defects, (name, header.defects)
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message["Content-Transfer-Encoding"] == "quoted-printable"
    assert not message.is_multipart()
    assert message["MIME-Version"] == "1.0"
    assert message["Content-Language"] == languages
    assert message["Auto-Submitted"] == "auto-generated"
    assert re.fullmatch(r"<[0-9a-f]{32}@127\.0\.0\.1>", message["Message-ID"])
    assert message["Date"].datetime is not None
    if unsubscribe:
        assert re.fullmatch(
            r"<http://127\.0\.0\.1:8000/l/[A-Za-z0-9_-]{43}/unsubscribe/>",
            str(message["List-Unsubscribe"]),
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    else:
        assert message["List-Unsubscribe"] is None


def check_only_our_urls(text: str) -> None:
    for url in re.findall(r"https?://\S+", text):
        assert url.startswith("http://127.0.0.1:8000/l/"), url


@pytest.mark.parametrize(
    ("language", "subject_part", "body_part"),
    [
        ("de", "Dürfen wir sie behalten?", "Diese Daten haben wir über Sie:"),
        ("en", "may we keep it?", "This is the data we hold about you:"),
        ("de+en", "Dürfen wir sie behalten? / Your data", "Woher wir sie haben"),
    ],
)
def test_request_mail_parses_with_umlauts(settings, language, subject_part, body_part):
    settings.ASKFIRST_COMPANY_NAME = UMLAUT_COMPANY
    contact = asking_contact(
        language=language,
        first_name=UMLAUT_NAME,
        last_name=UMLAUT_LAST,
        company="Weißbier Größenwahn GmbH",
        city="München",
        source="business_card",
    )
    contact.topics.add(Topic.objects.create(key="f", label_de="Führungen", label_en="Tours"))
    assert lifecycle_advance().mails == 1
    row = Outbox.objects.get(contact=contact)
    raw = row.message.encode("ascii")
    check_wire_form(raw)
    message = _parse(raw)
    check_headers(message, languages=language.replace("+", ", "), unsubscribe=True)
    assert subject_part in message["Subject"]
    text = message.get_content()
    assert body_part in text
    assert f"{UMLAUT_NAME} {UMLAUT_LAST}" in text
    assert "Weißbier Größenwahn GmbH" in text
    assert "München" in text
    assert ("Führungen" if language.startswith("de") else "Tours") in text
    assert UMLAUT_COMPANY in text
    check_only_our_urls(text)
    assert row.text_version in {"de:1", "en:1", "de:1,en:1"}
    if language == "de+en":
        assert text.index("Diese Daten") < text.index("This is the data")


def test_every_mail_name_parses(settings):
    settings.ASKFIRST_COMPANY_NAME = UMLAUT_COMPANY
    contact = asking_contact(language="de", first_name=UMLAUT_NAME, last_name=UMLAUT_LAST)
    now = timezone.now()
    renderer = mail_renderer(now=now)
    rows = [
        deletion_mail(contact=contact, now=now, renderer=renderer),
        portal_link_send(contact=contact),
    ]
    lifecycle_advance()
    rows.append(Outbox.objects.get(name=MailName.REQUEST))
    for row in rows:
        raw = row.message.encode("ascii")
        check_wire_form(raw)
        message = _parse(raw)
        check_headers(message, languages="de", unsubscribe=row.name != MailName.DELETION)
        check_only_our_urls(message.get_content())
    deletion = _parse(rows[0].message.encode("ascii"))
    assert deletion["Subject"] == "Wir haben Ihre Daten gelöscht"
    assert "gelöscht" in deletion.get_content()
    assert "http" not in deletion.get_content()


def test_a_long_subject_is_folded_and_read_back(settings):
    settings.ASKFIRST_COMPANY_NAME = "Überlange Gesellschaft für Äußerst Präzise Übermittlung " * 2
    contact = asking_contact(language="de+en")
    lifecycle_advance()
    raw = Outbox.objects.get(contact=contact).message.encode("ascii")
    check_wire_form(raw)
    head = raw.partition(b"\r\n\r\n")[0].decode("ascii")
    subject = re.search(r"^Subject: .*?(?=\r\n\S)", head, re.M | re.S).group(0)
    assert subject.count("\r\n") >= 2
    for line in subject.split("\r\n"):
        assert len(line) <= 78
    message = _parse(raw)
    assert message["Subject"].startswith("Ihre Daten bei Überlange Gesellschaft")
