"""The person's pages: overview, data, address, consent, interests, history, copy,
password, deactivate and delete."""

import json
from functools import cache

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import router
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from askfirst.consent.models import ConsentEvent, ConsentState, ConsentText, Purpose, PurposeKey
from askfirst.contacts.models import PERSONAL_FIELDS, Topic
from askfirst.hotread import rows_read
from askfirst.lifecycle.services import source_text
from askfirst.portal.access import session_end, session_renew_generation
from askfirst.portal.decorators import client_ip, portal_page
from askfirst.portal.export import portal_copy
from askfirst.portal.forms import DataForm, EmailChangeForm, PasswordForm, TopicsForm
from askfirst.portal.models import EmailChange
from askfirst.portal.rendering import has_password, portal_render, portal_render_shared
from askfirst.portal.services import (
    PortalError,
    Throttled,
    portal_consent_set,
    portal_data_update,
    portal_deactivate,
    portal_email_change_request,
    portal_erase,
    portal_password_set,
    portal_topics_set,
)
from askfirst.portal.views import _see_other


def _language(request: HttpRequest) -> str:
    return request.portal_language  # type: ignore[attr-defined]


def _consent_states(contact) -> dict[str, bool]:
    from askfirst.consent.services import consent_states

    return consent_states(contact=contact)


@require_GET
@portal_page(deactivated_ok=True)
def home(request: HttpRequest) -> HttpResponse:
    access = request.portal  # type: ignore[attr-defined]
    return portal_render(
        request,
        "portal/home.html",
        {
            "states": _consent_states(access.contact),
            "has_password": has_password(access.contact),
            "fresh": access.is_fresh(),
        },
    )


@require_http_methods(["GET", "POST"])
@portal_page()
def data(request: HttpRequest) -> HttpResponse:
    contact = request.portal.contact  # type: ignore[attr-defined]
    initial = {name: getattr(contact, name) for name in PERSONAL_FIELDS}
    initial["extranet"] = list(contact.extranet_fields)
    form = DataForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        portal_data_update(
            contact=contact,
            values={name: form.cleaned_data[name] for name in PERSONAL_FIELDS},
            extranet_fields=form.cleaned_data["extranet"],
        )
        messages.success(request, _("Your data was saved."))
        return _see_other("portal:data")
    rows = [
        {"field": form[name], "share": name in (form["extranet"].value() or [])}
        for name in PERSONAL_FIELDS
    ]
    return portal_render(
        request,
        "portal/data.html",
        {
            "form": form,
            "rows": rows,
            "extranet_granted": _consent_states(contact).get(PurposeKey.EXTRANET) is True,
            "pending": EmailChange.objects.filter(contact=contact).first(),
            # Art. 15(1)(g): where the data came from, as the request mail said it.
            "source_text": source_text(source=contact.source, language=get_language()),
        },
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@portal_page(fresh=True)
def email(request: HttpRequest) -> HttpResponse:
    contact = request.portal.contact  # type: ignore[attr-defined]
    form = EmailChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            portal_email_change_request(
                contact=contact,
                new_email=form.cleaned_data["new_email"],
                language=_language(request),
            )
        except Throttled:
            return portal_render(request, "portal/throttled.html", status=429)
        except PortalError as exc:
            form.add_error("new_email", str(exc))
        else:
            messages.success(
                request,
                _(
                    "We sent a link to the new address. Your address changes when you "
                    "open it and confirm."
                ),
            )
            return _see_other("portal:data")
    return portal_render(
        request, "portal/email.html", {"form": form}, status=400 if form.is_bound else 200
    )


@cache
def _consent_rows_sql() -> str:
    """Every purpose in order, with this contact's answer and the newest text in the
    page's language (what consent_states and consent_text_current give), in one query:
    the consent page is the portal's busiest."""
    purpose = Purpose._meta.db_table
    state = ConsentState._meta.db_table
    text = ConsentText._meta.db_table
    return (
        f"SELECT p.id, p.key, p.requires_id, p.name_de, p.name_en, p.description_de,"
        f" p.description_en, s.granted, t.id, t.version, t.body"
        f" FROM {purpose} p"
        f" LEFT JOIN {state} s ON s.purpose_id = p.id AND s.contact_id = %(contact)s"
        f" LEFT JOIN {text} t ON t.id = (SELECT t2.id FROM {text} t2"
        f" WHERE t2.purpose_id = p.id AND t2.language = %(language)s"
        f" ORDER BY t2.version DESC LIMIT 1)"
        f" ORDER BY p.position, p.id"
    )


def _consent_found(contact_id: int, language: str) -> list[tuple]:
    return rows_read(
        using=router.db_for_read(ConsentState),
        sql=_consent_rows_sql(),
        params={"contact": contact_id, "language": language[:2]},
    )


def _consent_rows(found: list[tuple], language: str) -> list[dict]:
    german = language.startswith("de")
    names = {row[0]: row[3] if german else row[4] for row in found}
    states = {row[0]: None if row[7] is None else bool(row[7]) for row in found}
    rows = []
    for (
        pk,
        key,
        requires_id,
        _de,
        _en,
        description_de,
        description_en,
        _s,
        text_id,
        version,
        body,
    ) in found:
        rows.append(
            {
                "key": key,
                "name": names[pk],
                "description": description_de if german else description_en,
                "text": ConsentText(pk=text_id, purpose_id=pk, version=version, body=body)
                if text_id is not None
                else None,
                "state": states[pk],
                "blocked_by": names.get(requires_id, "")
                if requires_id is not None and states.get(requires_id) is not True
                else "",
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
@portal_page()
def consent(request: HttpRequest) -> HttpResponse:
    access = request.portal  # type: ignore[attr-defined]
    language = _language(request)
    found = _consent_found(access.contact_id, language)
    if request.method != "POST":
        # The query's rows are everything the page shows (purposes, current texts
        # and versions, this person's answers), so they are the cache key: a new
        # text or a changed answer is a new key, never a stale page.
        return portal_render_shared(
            request,
            "portal/consent.html",
            key=tuple(found),
            context=lambda: {"rows": _consent_rows(found, language), "error": ""},
        )
    key = request.POST.get("purpose", "")
    granted = request.POST.get("decision") == "grant"
    row = next((r for r in _consent_rows(found, language) if r["key"] == key), None)
    shown = request.POST.get("text", "")
    current = str(row["text"].pk) if row and row["text"] else ""
    if row is None or request.POST.get("decision") not in {"grant", "withdraw"}:
        error, status = _("Please choose one of the buttons."), 400
    elif shown != current:
        # The proof names the text shown: a text changed meanwhile is read again.
        error, status = _("The text of this purpose has changed. Please read it again."), 409
    else:
        try:
            portal_consent_set(
                access=access,
                purpose_key=key,
                granted=granted,
                language=language,
                ip_address=client_ip(request),
            )
        except PortalError as exc:
            error, status = str(exc), 400
        else:
            if key == PurposeKey.STORAGE and not granted:
                return _see_other("portal:leave")
            messages.success(
                request,
                (
                    _("Saved: you agreed to “%(purpose)s”.")
                    if granted
                    else _("Saved: you withdrew “%(purpose)s”.")
                )
                % {"purpose": row["name"]},
            )
            return _see_other("portal:consent")
    return portal_render(
        request,
        "portal/consent.html",
        {
            "rows": _consent_rows(_consent_found(access.contact_id, language), language),
            "error": error,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@portal_page()
def interests(request: HttpRequest) -> HttpResponse:
    contact = request.portal.contact  # type: ignore[attr-defined]
    form = TopicsForm(
        request.POST if request.method == "POST" else None,
        initial={"topics": list(contact.topics.values_list("pk", flat=True))},
    )
    if request.method == "POST" and form.is_valid():
        portal_topics_set(contact=contact, topic_ids=[t.pk for t in form.cleaned_data["topics"]])
        messages.success(request, _("Your interests were saved."))
        return _see_other("portal:interests")
    chosen = {int(value) for value in (form["topics"].value() or [])}
    topics = [
        {"pk": t.pk, "label": t.label(_language(request)), "checked": t.pk in chosen}
        for t in Topic.objects.all()
    ]
    return portal_render(
        request,
        "portal/interests.html",
        {"topics": topics},
        status=400 if form.is_bound else 200,
    )


@require_GET
@portal_page(deactivated_ok=True)
def history(request: HttpRequest) -> HttpResponse:
    contact = request.portal.contact  # type: ignore[attr-defined]
    language = _language(request)
    events = [
        {
            "at": event.occurred_at,
            "purpose": event.purpose.name(language),
            "granted": event.action == "granted",
            "channel": event.get_channel_display(),
            "version": f"{event.text.version} ({event.text.language})" if event.text else "",
        }
        for event in ConsentEvent.objects.filter(contact=contact)
        .select_related("purpose", "text")
        .order_by("-seq")
    ]
    return portal_render(request, "portal/history.html", {"events": events})


@require_GET
@portal_page(deactivated_ok=True)
def copy(request: HttpRequest) -> HttpResponse:
    return portal_render(request, "portal/copy.html")


@require_GET
@portal_page(fresh=True, deactivated_ok=True)
def copy_download(request: HttpRequest) -> HttpResponse:
    contact = request.portal.contact  # type: ignore[attr-defined]
    copy = portal_copy(contact=contact, language=_language(request))
    body = json.dumps(copy, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
    return response


@require_http_methods(["GET", "POST"])
@portal_page(fresh=True)
def password(request: HttpRequest) -> HttpResponse:
    contact = request.portal.contact  # type: ignore[attr-defined]
    form = PasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            portal_password_set(
                contact=contact,
                password=form.cleaned_data["password"],
                language=_language(request),
            )
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            session_renew_generation(request=request, contact=contact)
            messages.success(
                request,
                _("Your password was saved. Every other portal session has been ended."),
            )
            return _see_other("portal:home")
    return portal_render(
        request,
        "portal/password.html",
        {"form": form, "has_password": has_password(contact)},
        status=400 if form.is_bound else 200,
    )


@require_GET
@portal_page()
def leave(request: HttpRequest) -> HttpResponse:
    contact = request.portal.contact  # type: ignore[attr-defined]
    storage = _consent_states(contact).get(PurposeKey.STORAGE)
    return portal_render(request, "portal/leave.html", {"storage_withdrawn": storage is False})


@require_http_methods(["GET", "POST"])
@portal_page()
def deactivate(request: HttpRequest) -> HttpResponse:
    access = request.portal  # type: ignore[attr-defined]
    if request.method != "POST":
        return portal_render(request, "portal/deactivate.html")
    portal_deactivate(access=access, language=_language(request), ip_address=client_ip(request))
    language = _language(request)
    session_end(request=request)
    request.portal = None  # type: ignore[attr-defined]
    return portal_render(request, "portal/deactivated.html", {"page_language": language})


@require_http_methods(["GET", "POST"])
@portal_page(fresh=True, deactivated_ok=True)
def delete(request: HttpRequest) -> HttpResponse:
    access = request.portal  # type: ignore[attr-defined]
    if request.method != "POST":
        return portal_render(request, "portal/delete.html")
    if request.POST.get("confirm") != "yes":
        return portal_render(
            request,
            "portal/delete.html",
            {"error": _("Please tick the box to confirm.")},
            status=400,
        )
    portal_erase(contact=access.contact)
    session_end(request=request)
    request.portal = None  # type: ignore[attr-defined]
    return portal_render(request, "portal/deleted.html")
