"""Suggest a mail language from what we know about a contact, with the reason."""

from django.conf import settings

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
