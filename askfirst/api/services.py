"""What the API does beyond one call into askfirst.contacts / askfirst.consent."""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pydantic
from django.db import IntegrityError, transaction

from askfirst.api.models import ApiKey
from askfirst.api.schemas import ContactIn
from askfirst.consent.models import Channel, ConsentEvent, Purpose
from askfirst.consent.services import Proof, consent_record, consent_states
from askfirst.contacts.emails import InvalidEmail, email_key, normalise_email
from askfirst.contacts.inputs import ContactInput, InvalidContact, parse_contact
from askfirst.contacts.models import Contact
from askfirst.contacts.services import ContactConflict, Outcome, contact_upsert

# contact_upsert can hit a unique constraint two ways: the source_ref is
# already another contact's, or a parallel request created the same address.
TAKEN_MESSAGE = (
    "conflicts with another contact: its address or source_ref is taken "
    "(if another request wrote it at the same moment, send it again)."
)


class InvalidInput(ValueError):
    """Input that is well-formed but not acceptable; one message per field."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type")
    if kind == "missing":
        return "is required."
    if kind == "extra_forbidden":
        return "is not a known field."
    message = str(error.get("msg", "is not valid."))
    # pydantic prefixes messages raised by our own validators.
    return message.removeprefix("Value error, ")


def field_errors(errors: Iterable[Mapping[str, Any]], *, skip: int = 0) -> dict[str, str]:
    """pydantic errors → {"field.path": "message"}, the first message per field."""
    result: dict[str, str] = {}
    for error in errors:
        path = ".".join(str(part) for part in tuple(error.get("loc", ()))[skip:])
        result.setdefault(path or "body", _message(error))
    return result


def contact_parse(payload: ContactIn) -> ContactInput:
    """The shared contact rules on top of the wire schema (InvalidContact if broken)."""
    return parse_contact(payload.model_dump(mode="json", exclude_none=True), default_source="api")


def contact_input(raw: Mapping[str, Any]) -> ContactInput:
    """Check one contact from the wire; raise InvalidContact naming each bad field."""
    try:
        payload = ContactIn.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise InvalidContact(field_errors(exc.errors())) from None
    return contact_parse(payload)


def consent_map(contact: Contact) -> dict[str, bool]:
    """Every purpose → granted now; a purpose never answered is not granted."""
    states = consent_states(contact=contact)
    return {key: states.get(key, False) for key in Purpose.objects.values_list("key", flat=True)}


def contact_find_by(
    *, email: str | None = None, source: str | None = None, source_ref: str | None = None
) -> Contact | None:
    if email is not None:
        try:
            key = email_key(normalise_email(email))
        except InvalidEmail as exc:
            raise InvalidInput({"email": str(exc)}) from None
        return Contact.objects.filter(email_key=key).first()
    if source and source_ref:
        return Contact.objects.filter(source=source, source_ref=source_ref).first()
    raise InvalidInput({"email": "Give an email address, or both source and source_ref."})


@dataclass
class ItemResult:
    index: int
    outcome: Outcome | None = None
    id: int | None = None
    errors: dict[str, str] | None = None


def contacts_upsert_many(items: Sequence[Mapping[str, Any]]) -> list[ItemResult]:
    """Upsert each item on its own: good items land, bad ones say why.

    One transaction for the batch (one commit instead of a thousand), with a
    savepoint per item so a failing item leaves the others in place.
    """
    results: list[ItemResult] = []
    with transaction.atomic():
        for index, item in enumerate(items):
            try:
                data = contact_input(item)
                with transaction.atomic():
                    contact, outcome = contact_upsert(data=data)
            except InvalidContact as exc:
                results.append(ItemResult(index=index, errors=exc.errors))
            except ContactConflict as exc:
                results.append(ItemResult(index=index, errors={"source_ref": str(exc)}))
            except IntegrityError:
                results.append(ItemResult(index=index, errors={"email": TAKEN_MESSAGE}))
            else:
                results.append(ItemResult(index=index, outcome=outcome, id=contact.pk))
    return results


def bulk_counts(results: Iterable[ItemResult]) -> dict[str, int]:
    counts = Counter({outcome.value: 0 for outcome in Outcome} | {"rejected": 0})
    for result in results:
        counts[result.outcome.value if result.outcome else "rejected"] += 1
    return dict(counts)


def api_consent_record(
    *, contact: Contact, key: ApiKey, purpose: str, granted: bool, evidence: str
) -> list[ConsentEvent]:
    """Record an answer a client system received, naming that system in the proof."""
    errors = {}
    if not Purpose.objects.filter(key=purpose).exists():
        known = ", ".join(Purpose.objects.values_list("key", flat=True))
        errors["purpose"] = f"is not a purpose; use one of {known}."
    evidence = evidence.strip()
    if granted and not evidence:
        # The controller must be able to show how a consent was given
        # (GDPR Art. 7(1)); "the CRM said so" alone shows nothing.
        errors["evidence"] = "is required when granting: say how the person gave consent."
    if errors:
        raise InvalidInput(errors)
    source = f"API client {key.name} ({key.prefix}…)"
    proof = Proof(channel=Channel.API, evidence=f"{source}: {evidence}" if evidence else source)
    return consent_record(contact=contact, purpose_key=purpose, granted=granted, proof=proof)
