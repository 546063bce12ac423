"""Row validation for imports: parse_contact's rules with the fast address path.

parse_contact (askfirst/contacts/inputs.py) is the reference; a property test
(tests/intake/test_row_parse_agrees_with_parse_contact.py) checks this agrees.
"""

from collections.abc import Mapping
from functools import cache

from askfirst.contacts.emails import InvalidEmail, email_key
from askfirst.contacts.inputs import TEXT_FIELDS, ContactInput, InvalidContact
from askfirst.contacts.models import Contact, Kind, Source
from askfirst.intake.emails import email_normalise_fast

SOURCES = frozenset(Source.values)
KINDS = frozenset(Kind.values)


@cache
def limits() -> dict[str, int]:
    return {
        name: Contact._meta.get_field(name).max_length or 0  # type: ignore[union-attr]
        for name in TEXT_FIELDS
    }


def row_parse(data: Mapping[str, str], *, default_source: str) -> ContactInput:
    """Validate one row of text values; raise InvalidContact naming every bad field."""
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    try:
        email = email_normalise_fast(data.get("email") or "")
    except InvalidEmail as exc:
        errors["email"] = str(exc)
        email = ""
    text_limits = limits()
    # Only the cells present: a row carries a few of the eleven text fields.
    for name, value in data.items():
        limit = text_limits.get(name)
        if limit is None:
            continue
        value = " ".join(value.split()) if name != "street" else value.strip()
        if len(value) > limit:
            errors[name] = f"is longer than {limit} characters ({len(value)})"
        elif "\x00" in value:
            errors[name] = "contains a NUL character"
        else:
            clean[name] = value
    given = set(clean)
    source = data.get("source") or default_source
    if source not in SOURCES:
        errors["source"] = f"must be one of {', '.join(Source.values)}"
    kind = data.get("kind") or ""
    if kind and kind not in KINDS:
        errors["kind"] = f"must be one of {', '.join(Kind.values)}"
    elif kind:
        given.add("kind")
    if errors:
        raise InvalidContact(errors)
    return ContactInput(
        email=email,
        email_key=email_key(email),
        source=source,
        kind=kind,
        given=frozenset(given),
        **clean,
    )
