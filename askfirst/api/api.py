"""The REST API for other systems: push contacts in, ask what a person allowed.

Mounted at /api/ (askfirst/urls.py); endpoints under /api/v1/, interactive
documentation at /api/docs, the OpenAPI schema at /api/openapi.json.
Endpoints stay thin: checking and work happen in services.
"""

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query, Router, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.params import P, PathEx

from askfirst.api import services
from askfirst.api.auth import BearerKey, HeaderKey
from askfirst.api.schemas import (
    BULK_LIMIT,
    BulkIn,
    BulkOut,
    ConsentIn,
    ConsentOut,
    ContactIn,
    ContactOut,
    ErrorOut,
    LookupQuery,
    UpsertOut,
)
from askfirst.consent.services import ConsentError
from askfirst.contacts.inputs import InvalidContact
from askfirst.contacts.models import Contact
from askfirst.contacts.services import ContactConflict, Outcome, contact_upsert

DESCRIPTION = f"""
Push contacts into askfirst and ask whether you may mail, track or show a person.

Authenticate with an API key from the askfirst admin, sent as
`Authorization: Bearer <key>` or `X-API-Key: <key>`.

Errors have one shape: `{{"detail": "...", "errors": {{"field": "message"}}}}`.
Bulk requests take at most {BULK_LIMIT} contacts.
"""

api = NinjaAPI(
    title="askfirst API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[BearerKey(), HeaderKey()],
)

# Every error an endpoint may answer with, declared so clients (and the
# schema fuzz test) know their shape.
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}

BIGINT_MAX = 2**63 - 1


def _error(
    request: HttpRequest, status: int, detail: str, errors: dict[str, str] | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


def _invalid(request: HttpRequest, errors: dict[str, str]) -> HttpResponse:
    names = ", ".join(errors)
    return _error(request, 422, f"The request is not valid: {names}.", errors)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, str] = {}
    for error in exc.errors:
        loc = tuple(error.get("loc", ()))
        # ("body", <parameter name>, field…) / ("query", field) / ("path", field)
        skip = 2 if loc[:1] == ("body",) else 1
        for name, message in services.field_errors([error], skip=skip).items():
            errors.setdefault(name, message)
    return _invalid(request, errors)


@api.exception_handler(InvalidContact)
def on_invalid_contact(request: HttpRequest, exc: InvalidContact) -> HttpResponse:
    return _invalid(request, exc.errors)


@api.exception_handler(services.InvalidInput)
def on_invalid_input(request: HttpRequest, exc: services.InvalidInput) -> HttpResponse:
    return _invalid(request, exc.errors)


@api.exception_handler(ContactConflict)
def on_conflict(request: HttpRequest, exc: ContactConflict) -> HttpResponse:
    return _error(request, 409, str(exc), {"source_ref": str(exc)})


@api.exception_handler(ConsentError)
def on_consent_error(request: HttpRequest, exc: ConsentError) -> HttpResponse:
    return _error(request, 409, str(exc))


@api.exception_handler(IntegrityError)
def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    return _error(request, 409, f"The contact {services.TAKEN_MESSAGE}")


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(
        request, 413, f"The request body is too large; send at most {BULK_LIMIT} contacts."
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(
        request, 401, "A valid API key is required (Authorization: Bearer <key> or X-API-Key)."
    )
    response["WWW-Authenticate"] = 'Bearer realm="askfirst"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # ninja raises this when the body does not parse.
        return _error(request, 400, "The request body is not valid JSON.", {"body": "not JSON"})
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "No such contact.")


def _contact_out(contact: Contact) -> dict[str, Any]:
    data = {name: getattr(contact, name) for name in ContactOut.model_fields if name != "consent"}
    data["consent"] = services.consent_map(contact)
    return data


v1 = Router(tags=["contacts"])
ContactId = PathEx[int, P(ge=1, le=BIGINT_MAX, description="The contact's id in askfirst.")]


@v1.put(
    "/contacts",
    response={200: UpsertOut, 201: UpsertOut, **ERRORS},
    summary="Create or update a contact",
    operation_id="contact_upsert",
)
def upsert(request: HttpRequest, payload: ContactIn):
    """Keyed by email address (case-insensitive), else by (source, source_ref).

    Sending the same contact again is safe: 201 when it was created, 200
    otherwise. A known contact's consent process is never restarted, and a
    deactivated address stays deactivated with nothing personal stored
    (outcome "deactivated").
    """
    contact, outcome = contact_upsert(data=services.contact_parse(payload))
    status = 201 if outcome == Outcome.CREATED else 200
    return Status(status, {"outcome": outcome, "contact": _contact_out(contact)})


@v1.post(
    "/contacts/bulk",
    response={200: BulkOut, **ERRORS},
    summary="Create or update many contacts",
    operation_id="contact_upsert_bulk",
)
def upsert_bulk(request: HttpRequest, payload: BulkIn):
    """Each item as in PUT /contacts, each on its own: good items land, and
    every bad item is reported with its index and a message per field."""
    results = services.contacts_upsert_many(payload.contacts)
    return Status(200, {"results": results, "counts": services.bulk_counts(results)})


@v1.get(
    "/contacts",
    response={200: ContactOut, **ERRORS},
    summary="Look a contact up by email address or source id",
    operation_id="contact_lookup",
)
def lookup(request: HttpRequest, query: Query[LookupQuery]):
    """The "may I mail / track / show?" question: the contact and its consent
    per purpose. Give `email`, or both `source` and `source_ref`."""
    contact = services.contact_find_by(
        email=query.email, source=query.source, source_ref=query.source_ref
    )
    if contact is None:
        raise Http404
    return Status(200, _contact_out(contact))


@v1.get(
    "/contacts/{contact_id}",
    response={200: ContactOut, **ERRORS},
    summary="Get a contact",
    operation_id="contact_get",
)
def get(request: HttpRequest, contact_id: ContactId):
    return Status(200, _contact_out(get_object_or_404(Contact, pk=contact_id)))


@v1.post(
    "/contacts/{contact_id}/consent",
    response={200: ConsentOut, **ERRORS},
    summary="Record a consent answer the client system received",
    operation_id="consent_record",
)
def consent(request: HttpRequest, contact_id: ContactId, payload: ConsentIn):
    """Recorded in the ledger with channel "api" and the API key's name.
    Granting needs `evidence`: how the person gave consent. Withdrawing a
    purpose others depend on withdraws those too. 409 when the contact is
    deactivated (granting) or a required purpose is not granted."""
    contact = get_object_or_404(Contact, pk=contact_id)
    events = services.api_consent_record(
        contact=contact,
        key=request.auth,  # type: ignore[attr-defined]
        purpose=payload.purpose,
        granted=payload.granted,
        evidence=payload.evidence,
    )
    return Status(200, {"recorded": len(events), "contact": _contact_out(contact)})


api.add_router("/v1/", v1)
