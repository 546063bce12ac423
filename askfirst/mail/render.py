"""Rendering mails to the CRLF wire text, fast.

`EmailMessage.as_bytes()` manages about 1,300 mails a second; a lifecycle batch
needs several thousand. So headers are built as strings here: the subject as
an RFC 2047 encoded-word, the body quoted-printable UTF-8 in 76-character lines,
everything else ASCII. tests/mail/test_mail_parses.py checks the result with
Python's `email` package.
"""

import binascii
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, formataddr, parseaddr
from string import Template
from urllib.parse import urlsplit

from django.conf import settings

# Between the German and the English half of a bilingual mail.
BILINGUAL_SEPARATOR = "\n\n" + "-" * 60 + "\n\n"


@dataclass(frozen=True)
class Placeholders:
    """The values a mail is rendered with, and those its text cannot do without."""

    provided: frozenset[str]
    # In the body: a request without its yes link cannot be answered.
    required: frozenset[str] = frozenset()


# What each mail's callers put into `contexts` (askfirst/lifecycle/services.py
# mail_contexts, _asking_mail and portal_link_send; askfirst/portal/mails.py and
# its callers in askfirst/portal/services.py). Rendering leaves any
# other `$name` in the mail as it is, so staff texts are checked against this
# when saved (askfirst/mail/admin.py).
_ABOUT_THE_CONTACT = frozenset(
    {
        "greeting",
        "company",
        "company_address",
        "privacy_contact",
        "data",
        "source",
        "deletion_date",
    }
)
_ASKING_LINKS = frozenset({"yes_url", "deactivate_url", "portal_url"})
_PORTAL_MAIL = frozenset(
    {"greeting", "company", "company_address", "privacy_contact", "portal_url"}
)
PLACEHOLDERS: dict[str, Placeholders] = {
    "request": Placeholders(
        _ABOUT_THE_CONTACT | _ASKING_LINKS | {"reminder_number"}, _ASKING_LINKS
    ),
    "reminder": Placeholders(
        _ABOUT_THE_CONTACT | _ASKING_LINKS | {"reminder_number"}, _ASKING_LINKS
    ),
    "deletion": Placeholders(_ABOUT_THE_CONTACT),
    "portal": Placeholders(
        _ABOUT_THE_CONTACT | {"portal_url", "link_expiry"}, frozenset({"portal_url"})
    ),
    "email_confirm": Placeholders(
        _PORTAL_MAIL | {"confirm_url", "link_expiry"}, frozenset({"confirm_url"})
    ),
    "email_changed": Placeholders(_PORTAL_MAIL | {"new_email_masked"}),
    "password_changed": Placeholders(_PORTAL_MAIL),
}


def mail_greeting(*, name: str, language: str) -> str:
    """The `$greeting` of every mail: by name where we know one."""
    if language == "de":
        return f"Guten Tag {name}" if name else "Guten Tag"
    return f"Dear {name}" if name else "Hello"


def placeholders_used(text: str) -> set[str]:
    """The `$name` / `${name}` placeholders in a text (`$$` is a literal dollar)."""
    return set(Template(text).get_identifiers())


class MailText:
    """A staff text split once into literal parts and placeholders.

    `Template.safe_substitute` runs a regex with a Python callback for every
    placeholder, ~5 µs for a request's body; joining prepared parts takes a
    fraction of that, and a batch renders thousands. The result is the same
    (tests/mail/test_mail_text_substitutes_as_string_template.py): `$$` is a
    dollar, and an unknown or malformed placeholder stays as it was written.
    """

    def __init__(self, text: str):
        self.text = text
        # (literal text, "") or (the placeholder as written, its name)
        self.parts: list[tuple[str, str]] = []
        template = Template(text)
        end = 0
        for match in template.pattern.finditer(text):
            if match.start() > end:
                self.parts.append((text[end : match.start()], ""))
            name = match.group("named") or match.group("braced")
            if name:
                self.parts.append((match.group(), name))
            elif match.group("escaped") is not None:
                self.parts.append((template.delimiter, ""))
            else:  # invalid: a lone delimiter stays
                self.parts.append((match.group(), ""))
            end = match.end()
        if end < len(text):
            self.parts.append((text[end:], ""))

    def substitute(self, values: dict[str, str]) -> str:
        return "".join([str(values[name]) if name in values else text for text, name in self.parts])


@dataclass(frozen=True)
class TemplateVersion:
    version: int
    subject: MailText
    body: MailText


@dataclass(frozen=True)
class Rendered:
    message: str
    message_id: str
    text_version: str


def mail_domain() -> str:
    return settings.ASKFIRST_MAIL_DOMAIN or urlsplit(settings.SITE_URL).hostname or "localhost"


def _address_header(value: str) -> str:
    """A From/Reply-To value in ASCII: display name encoded, domain in IDNA."""
    name, address = parseaddr(value)
    return formataddr((name, ascii_address(address)), charset="utf-8")


def ascii_address(address: str) -> str:
    """The domain as IDNA (xn--…); a non-ASCII local part stays (needs SMTPUTF8)."""
    local, _, domain = address.rpartition("@")
    if not domain.isascii():
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}"


def _body_qp(text: str) -> str:
    data = text.replace("\r\n", "\n").encode("utf-8")
    encoded = binascii.b2a_qp(data, istext=True).decode("ascii")
    return encoded.replace("\n", "\r\n")


# RFC 2047 "Q" encoding of one character (as UTF-8 bytes) inside an encoded-word.
_Q_SAFE = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!*+-/")
# Payload per encoded-word, so "Subject: =?utf-8?q?…?=" stays within 78 characters.
_Q_WORD = 78 - len("Subject: =?utf-8?q??=")


def _q(char: str) -> str:
    if char == " ":
        return "_"
    data = char.encode("utf-8")
    if len(data) == 1 and data[0] in _Q_SAFE:
        return char
    return "".join(f"={byte:02X}" for byte in data)


def _subject(text: str) -> str:
    """The subject as folded encoded-words (email.header.Header is ~1 ms a subject)."""
    text = " ".join(text.split())
    if text.isascii() and len(text) <= 78 - len("Subject: ") and "=?" not in text:
        return text
    words, current = [], ""
    for char in text:
        encoded = _q(char)  # never split inside a character's bytes
        if len(current) + len(encoded) > _Q_WORD:
            words.append(current)
            current = ""
        current += encoded
    words.append(current)
    return "\r\n ".join(f"=?utf-8?q?{word}?=" for word in words)


def _languages(language: str) -> list[str]:
    return ["de", "en"] if language == "de+en" else [language]


class MailRenderer:
    """Renders many mails with one set of templates and settings (one batch)."""

    def __init__(self, *, templates: dict[tuple[str, str], TemplateVersion], now: datetime):
        self.templates = templates
        # A batch's subjects are mostly the same few texts; encoding one is ~50 µs.
        self.subjects: dict[str, str] = {}
        self.versions: dict[tuple[str, str], str] = {}
        self.domain = mail_domain()
        self.date = format_datetime(now.astimezone())
        # Who writes: the same placeholders in every mail of the batch.
        self.sender = {
            "company": settings.ASKFIRST_COMPANY_NAME,
            "company_address": settings.ASKFIRST_COMPANY_ADDRESS,
            "privacy_contact": settings.ASKFIRST_PRIVACY_CONTACT,
        }
        self.from_header = _address_header(settings.ASKFIRST_MAIL_FROM)
        self.reply_to = _address_header(settings.ASKFIRST_MAIL_REPLY_TO)
        self.fixed = (
            f"From: {self.from_header}\r\n"
            f"Reply-To: {self.reply_to}\r\n"
            "MIME-Version: 1.0\r\n"
            'Content-Type: text/plain; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n"
            "Auto-Submitted: auto-generated\r\n"
            f"List-Id: <consent.{self.domain}>\r\n"
        )

    def text_version(self, *, name: str, language: str) -> str:
        """The versions a mail of this name and language is rendered with, e.g. "de:3,en:2".

        Known before rendering: the mail's links record it when they are issued.
        """
        version = self.versions.get((name, language))
        if version is None:
            version = self.versions[(name, language)] = ",".join(
                f"{lang}:{self.templates[(name, lang)].version}" for lang in _languages(language)
            )
        return version

    def render(
        self,
        *,
        name: str,
        language: str,
        recipient: str,
        contexts: dict[str, dict[str, str]],
        unsubscribe_url: str | None,
    ) -> Rendered:
        """`contexts` maps each language of the mail to its placeholder values."""
        languages = _languages(language)
        subjects, bodies = [], []
        for lang in languages:
            template = self.templates[(name, lang)]
            values = contexts[lang]
            subjects.append(template.subject.substitute(values).strip())
            bodies.append(template.body.substitute(values).strip("\n"))
        subject = " / ".join(subjects)
        encoded = self.subjects.get(subject)
        if encoded is None:
            encoded = self.subjects[subject] = _subject(subject)
        message_id = f"<{secrets.token_hex(16)}@{self.domain}>"
        head = (
            f"Date: {self.date}\r\n"
            f"{self.fixed}"
            f"To: {ascii_address(recipient)}\r\n"
            f"Subject: {encoded}\r\n"
            f"Message-ID: {message_id}\r\n"
            f"Content-Language: {', '.join(languages)}\r\n"
        )
        if unsubscribe_url:
            # One line even past 78 characters (the limit is 998): folded, some
            # parsers keep the leading space and mis-read the URL.
            head += (
                f"List-Unsubscribe: <{unsubscribe_url}>\r\n"
                "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
            )
        body = _body_qp(BILINGUAL_SEPARATOR.join(bodies) + "\n")
        return Rendered(
            message=f"{head}\r\n{body}",
            message_id=message_id,
            text_version=self.text_version(name=name, language=language),
        )
