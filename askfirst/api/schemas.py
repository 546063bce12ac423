"""What goes over the wire.

The schemas declare what the OpenAPI document promises (types, lengths,
choices); the contact rules themselves live in askfirst.contacts.inputs.
"""

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, StrictBool
from pydantic.json_schema import JsonDict

from askfirst.contacts.models import Contact, Kind, MailLanguage, Source, Status
from askfirst.contacts.services import Outcome

# Contacts per bulk request: enough for a CRM's nightly batch in a few calls,
# few enough that one request stays short and a few megabytes at most.
BULK_LIMIT = 1000


def _storable(value: str) -> str:
    """Refuse text no database column can hold.

    PostgreSQL text cannot contain NUL, and a lone surrogate (legal JSON:
    "\\ud800") cannot be encoded as UTF-8 by either database driver.
    """
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains a character that is not valid Unicode") from None
    return value


Storable = AfterValidator(_storable)


def _limit(name: str) -> int:
    return Contact._meta.get_field(name).max_length  # type: ignore[union-attr,return-value]


EXAMPLE: JsonDict = {
    "email": "erika.mustermann@example.de",
    "source": "connector",
    "source_ref": "4711",
    "kind": "customer",
    "first_name": "Erika",
    "last_name": "Mustermann",
    "company": "Beispiel GmbH",
    "country": "DE",
}


class ContactIn(Schema):
    """A contact as a client system knows it.

    Omitted or null fields keep their stored value on a known contact; an
    empty string clears one.
    """

    # An unknown field is most likely a typo ("frist_name"); dropping it
    # silently would lose data without anyone noticing.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    email: Annotated[
        str, Field(min_length=1, max_length=254, json_schema_extra={"format": "email"}), Storable
    ]
    source: Source | None = Field(
        None, description='Where the contact came from; "api" if omitted.'
    )
    source_ref: Annotated[str, Field(max_length=_limit("source_ref")), Storable] | None = Field(
        None, description="The contact's id in the source system (for example the CRM's id)."
    )
    kind: Kind | None = None
    first_name: Annotated[str, Field(max_length=_limit("first_name")), Storable] | None = None
    last_name: Annotated[str, Field(max_length=_limit("last_name")), Storable] | None = None
    company: Annotated[str, Field(max_length=_limit("company")), Storable] | None = None
    position: Annotated[str, Field(max_length=_limit("position")), Storable] | None = None
    phone: Annotated[str, Field(max_length=_limit("phone")), Storable] | None = None
    street: Annotated[str, Field(max_length=_limit("street")), Storable] | None = None
    postal_code: Annotated[str, Field(max_length=_limit("postal_code")), Storable] | None = None
    city: Annotated[str, Field(max_length=_limit("city")), Storable] | None = None
    country: Annotated[str, Field(max_length=_limit("country")), Storable] | None = None
    source_language: (
        Annotated[str, Field(max_length=_limit("source_language")), Storable] | None
    ) = Field(None, description="A language the source told us, for example de or en.")


class BulkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    # Items are plain objects here on purpose: each one is checked on its own
    # (as a ContactIn) so one bad row is reported without refusing the rest.
    contacts: list[dict[str, Any]] = Field(
        max_length=BULK_LIMIT,
        description=f"Up to {BULK_LIMIT} objects, each shaped like ContactIn.",
        examples=[[EXAMPLE, {"email": "john@example.com", "source": "form"}]],
    )


class ConsentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    purpose: Annotated[str, Field(min_length=1, max_length=32), Storable] = Field(
        description="storage, newsletter, tracking or extranet.", examples=["storage"]
    )
    granted: StrictBool
    evidence: Annotated[str, Field(max_length=2000), Storable] = Field(
        "",
        description="How the person gave this answer (form, date, double opt-in); "
        "required when granting.",
        examples=["Newsletter form on example.de, double opt-in confirmed 2025-03-01"],
    )


class LookupQuery(Schema):
    email: Annotated[str, Field(max_length=254), Storable] | None = Field(
        None, examples=["erika@example.org"]
    )
    source: Source | None = Field(None, examples=["connector"])
    source_ref: Annotated[str, Field(max_length=_limit("source_ref")), Storable] | None = Field(
        None, examples=["4711"]
    )


class ContactOut(Schema):
    id: int
    email: str
    status: Status
    kind: Kind
    source: Source
    source_ref: str
    mail_language: MailLanguage
    suggested_language: MailLanguage
    first_name: str
    last_name: str
    company: str
    position: str
    phone: str
    street: str
    postal_code: str
    city: str
    country: str
    source_language: str
    created_at: datetime
    updated_at: datetime
    consent: dict[str, bool] = Field(
        description="Every purpose → whether the person has granted it now. "
        "False also where the person never answered."
    )


class UpsertOut(Schema):
    outcome: Outcome
    contact: ContactOut


class BulkItemOut(Schema):
    index: int
    outcome: Outcome | None = None
    id: int | None = None
    errors: dict[str, str] | None = None


class BulkOut(Schema):
    results: list[BulkItemOut]
    counts: dict[str, int] = Field(description="How many items had each outcome, and rejected.")


class ConsentOut(Schema):
    recorded: int = Field(description="Ledger events written (0 if nothing changed).")
    contact: ContactOut


class ErrorOut(Schema):
    detail: str
    errors: dict[str, str] = Field(default_factory=dict, description="Field → what is wrong.")
