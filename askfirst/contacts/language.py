"""Suggest a mail language from what we know about a contact, with the reason."""

import re

from django.conf import settings
from django.utils.translation import gettext as _

GERMAN_COUNTRIES = {
    "de", "deu", "germany", "deutschland",
    "at", "aut", "austria", "österreich", "oesterreich",
    "ch", "che", "switzerland", "schweiz",
    "li", "lie", "liechtenstein",
}  # fmt: skip
GERMAN_LANGUAGES = {"de", "ger", "deu", "german", "deutsch"}
ENGLISH_LANGUAGES = {"en", "eng", "english", "englisch"}


def suggest_language(
    *, email: str, country: str = "", source_language: str = ""
) -> tuple[str, str]:
    """Return (language, reason); language is "" when nothing points anywhere.

    The order is from the most to the least direct sign: what the person or
    the source said about language, then where they are, then the address.
    """
    language = source_language.strip().lower().split("-")[0].split("_")[0]
    if language in GERMAN_LANGUAGES:
        return "de", f"source language {source_language.strip()!r}"
    if language in ENGLISH_LANGUAGES:
        return "en", f"source language {source_language.strip()!r}"

    country_value = country.strip().lower()
    if country_value in GERMAN_COUNTRIES:
        return "de", f"country {country.strip()!r}"

    domain = email.rsplit("@", 1)[-1].lower()
    tld = domain.rsplit(".", 1)[-1]
    if tld in settings.ASKFIRST_GERMAN_TLDS:
        return "de", f"address domain .{tld}"
    if country_value:
        return "en", f"country {country.strip()!r}"
    if language:
        return "en", f"source language {source_language.strip()!r} (not German)"
    return "", ""


# The reasons suggest_language stores are plain English; these patterns let the
# staff screens show them in the staff member's language.
_REASONS = (
    (re.compile(r"^source language (?P<value>.+) \(not German\)$"), "not_german"),
    (re.compile(r"^source language (?P<value>.+)$"), "source_language"),
    (re.compile(r"^country (?P<value>.+)$"), "country"),
    (re.compile(r"^address domain (?P<value>\.\S+)$"), "domain"),
)


def reason_sign(reason: str) -> str:
    """What a stored suggestion came from: "source_language", "country", "domain" or ""."""
    for pattern, kind in _REASONS:
        if pattern.match(reason):
            return "source_language" if kind == "not_german" else kind
    return ""


def suggestion_trusted(reason: str) -> bool:
    """Whether the operator lets this suggestion start the request without staff."""
    trusted = settings.ASKFIRST_AUTO_LANGUAGE
    return bool(trusted and reason) and reason_sign(reason) in trusted


def describe_reason(reason: str) -> str:
    """The stored suggestion reason, translated into the active language."""
    for pattern, kind in _REASONS:
        match = pattern.match(reason)
        if match is None:
            continue
        value = match.group("value")
        if kind == "not_german":
            return _("source language %(value)s (not German)") % {"value": value}
        if kind == "source_language":
            return _("source language %(value)s") % {"value": value}
        if kind == "country":
            return _("country %(value)s") % {"value": value}
        return _("address domain %(value)s") % {"value": value}
    return reason
