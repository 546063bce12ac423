"""One validation of incoming contact data, shared by API, CSV, vCard and admin."""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from askfirst.contacts.emails import InvalidEmail, email_key, normalise_email
from askfirst.contacts.models import PERSONAL_FIELDS, Contact, Kind, Source

# Every text field an intake may set, with its column length.
TEXT_FIELDS = (*PERSONAL_FIELDS, "source_ref", "source_language")


class InvalidContact(ValueError):
    """Carries one message per offending field."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))


@dataclass(slots=True)
class ContactInput:
    email: str
    email_key: str
    source: str
    kind: str = ""
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    position: str = ""
    phone: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    source_ref: str = ""
    source_language: str = ""
    # Names of fields the input actually carried; an update changes only these.
    given: frozenset[str] = field(default_factory=frozenset)

    def values(self) -> dict[str, str]:
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in {"given", "email_key"}
        }


def _encodable(value: str) -> bool:
    """False for lone surrogates, which no database driver can store."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _max_length(name: str) -> int:
    return Contact._meta.get_field(name).max_length  # type: ignore[union-attr,return-value]


def parse_contact(data: Mapping[str, object], *, default_source: str) -> ContactInput:
    """Validate raw values; raise InvalidContact naming every bad field."""
    errors: dict[str, str] = {}
    given: set[str] = set()
    clean: dict[str, str] = {}

    raw_email = data.get("email")
    if isinstance(raw_email, str) and not _encodable(raw_email):
        raw_email = "\ufffd"  # reported as invalid below, never stored
    try:
        email = normalise_email(raw_email if isinstance(raw_email, str) else "")
    except InvalidEmail as exc:
        errors["email"] = str(exc)
        email = ""

    for name in TEXT_FIELDS:
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            errors[name] = "must be text"
            continue
        value = " ".join(value.split()) if name != "street" else value.strip()
        limit = _max_length(name)
        if len(value) > limit:
            errors[name] = f"is longer than {limit} characters ({len(value)})"
            continue
        if "\x00" in value:
            errors[name] = "contains a NUL character"
            continue
        if not _encodable(value):
            errors[name] = "contains characters that are not valid Unicode"
            continue
        clean[name] = value
        given.add(name)

    source = data.get("source") or default_source
    if source not in Source.values:
        errors["source"] = f"must be one of {', '.join(Source.values)}"
    kind = data.get("kind") or ""
    if kind and kind not in Kind.values:
        errors["kind"] = f"must be one of {', '.join(Kind.values)}"
    elif kind:
        given.add("kind")

    if errors:
        raise InvalidContact(errors)
    return ContactInput(
        email=email,
        email_key=email_key(email),
        source=str(source),
        kind=str(kind),
        given=frozenset(given),
        **clean,
    )
