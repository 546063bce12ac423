"""Getting in and out: mail links, fresh links, password, language, address confirmation."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from askfirst.lifecycle.links import LinkExpired, LinkUnknown, link_find
from askfirst.portal.access import LANGUAGE, session_end, session_open
from askfirst.portal.decorators import LANGUAGES, client_ip, portal_page, portal_public
from askfirst.portal.forms import LinkRequestForm, LoginForm
from askfirst.portal.rendering import has_password, portal_render, safe_next
from askfirst.portal.services import (
    ChangeUnknown,
    LoginFailed,
    PortalError,
    Throttled,
    email_change_find,
    portal_email_change_confirm,
    portal_fresh_link_send,
    portal_language_set,
    portal_link_request,
    portal_password_check,
)


def _start(request, *, link_form=None, login_form=None, status=200) -> HttpResponse:
    return portal_render(
        request,
        "portal/start.html",
        {
            "link_form": link_form or LinkRequestForm(),
            "login_form": login_form or LoginForm(),
        },
        status=status,
    )


@require_GET
@portal_public
def start(request: HttpRequest) -> HttpResponse:
    if request.portal:  # type: ignore[attr-defined]
        return redirect("portal:home")
    return _start(request)


@require_GET
@portal_public
def enter(request: HttpRequest, token: str) -> HttpResponse:
    """Any live mail link opens a session; the token leaves the address bar at once."""
    try:
        link = link_find(token=token)
    except LinkExpired:
        return _see_other("portal:link-invalid", "expired")
    except LinkUnknown:
        return _see_other("portal:link-invalid", "unknown")
    session_open(
        request=request,
        contact=link.contact,
        via="link",
        proven_at=link.created_at,
        token_hash=link.token_hash,
        language=link.language if link.language in LANGUAGES else "",
    )
    return redirect("portal:home")


@require_GET
@portal_public
def link_invalid(request: HttpRequest, reason: str) -> HttpResponse:
    expired = reason == "expired"
    return portal_render(
        request, "portal/link_invalid.html", {"expired": expired}, status=410 if expired else 404
    )


@require_POST
@portal_public
def link_request(request: HttpRequest) -> HttpResponse:
    form = LinkRequestForm(request.POST)
    if not form.is_valid():
        return _start(request, link_form=form, status=400)
    try:
        portal_link_request(email=form.cleaned_data["email"], ip_address=client_ip(request))
    except Throttled:
        return portal_render(request, "portal/throttled.html", status=429)
    # A redirect with no body: the same bytes for every address, known or not.
    return _see_other("portal:link-sent")


class SeeOther(HttpResponseRedirect):
    """After a POST, the browser GETs the next page (303, not 302)."""

    status_code = 303


def _see_other(name: str, *args) -> HttpResponse:
    return SeeOther(reverse(name, args=args))


@require_GET
@portal_public
def link_sent(request: HttpRequest) -> HttpResponse:
    return portal_render(request, "portal/link_sent.html")


@require_POST
@portal_public
def login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST)
    if not form.is_valid():
        return _start(request, login_form=form, status=400)
    try:
        contact = portal_password_check(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            ip_address=client_ip(request),
        )
    except Throttled:
        return portal_render(request, "portal/locked.html", status=429)
    except LoginFailed:
        form.add_error(None, _("The address or the password is not right."))
        return _start(request, login_form=form, status=400)
    session_open(request=request, contact=contact, via="password", proven_at=timezone.now())
    return _see_other("portal:home")


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    language = request.session.get(LANGUAGE)
    session_end(request=request)
    if language:
        request.session[LANGUAGE] = language
    return _see_other("portal:logged-out")


@require_GET
@portal_public
def logged_out(request: HttpRequest) -> HttpResponse:
    return portal_render(request, "portal/logged_out.html")


@require_POST
@portal_public
def language(request: HttpRequest) -> HttpResponse:
    chosen = request.POST.get("language", "")
    if chosen in LANGUAGES:
        request.session[LANGUAGE] = chosen
        access = request.portal  # type: ignore[attr-defined]
        if access is not None:
            portal_language_set(contact=access.contact, language=chosen)
    return SeeOther(safe_next(request, request.POST.get("next"), reverse("portal:start")))


@require_http_methods(["GET", "POST"])
@portal_page(deactivated_ok=True)
def fresh(request: HttpRequest) -> HttpResponse:
    """Proof too old for what was asked: a fresh link, or the password."""
    access = request.portal  # type: ignore[attr-defined]
    next_url = safe_next(
        request, request.POST.get("next") or request.GET.get("next"), reverse("portal:home")
    )
    context = {"next": next_url, "has_password": has_password(access.contact), "error": ""}
    if request.method == "POST":
        if request.POST.get("how") == "password":
            try:
                portal_password_check(
                    email=access.contact.email,
                    password=request.POST.get("password", ""),
                    ip_address=client_ip(request),
                )
            except Throttled:
                return portal_render(request, "portal/locked.html", status=429)
            except LoginFailed:
                context["error"] = _("The password is not right.")
                return portal_render(request, "portal/fresh.html", context, status=400)
            session_open(
                request=request,
                contact=access.contact,
                via="password",
                proven_at=timezone.now(),
            )
            return SeeOther(next_url)
        try:
            portal_fresh_link_send(contact=access.contact)
        except Throttled:
            return portal_render(request, "portal/throttled.html", status=429)
        return portal_render(request, "portal/link_sent.html", {"own_address": True})
    return portal_render(request, "portal/fresh.html", context)


EMAIL_TOKEN = "portal_email_token"


@require_GET
def email_confirm_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the mail to the new address: the token moves into the session and
    out of the address bar (a page with a form must send Origin, so it cannot be
    a no-referrer page)."""
    request.session[EMAIL_TOKEN] = token[:100]
    return _see_other("portal:email-confirm-page")


@require_http_methods(["GET", "POST"])
@portal_public
def email_confirm(request: HttpRequest) -> HttpResponse:
    """GET shows the new address; the POST changes it (mail scanners only GET)."""
    try:
        change = email_change_find(token=request.session.get(EMAIL_TOKEN, ""))
    except ChangeUnknown:
        return portal_render(request, "portal/link_invalid.html", {"expired": False}, status=404)
    if request.method != "POST":
        return portal_render(request, "portal/email_confirm.html", {"new_email": change.new_email})
    try:
        contact = portal_email_change_confirm(
            change=change,
            language=request.portal_language,  # type: ignore[attr-defined]
        )
    except PortalError as exc:
        return portal_render(request, "portal/email_confirm.html", {"error": str(exc)}, status=409)
    request.session.pop(EMAIL_TOKEN, None)
    # Whoever confirmed has just proven the new mailbox: that opens a session.
    session_open(request=request, contact=contact, via="link", proven_at=timezone.now())
    return _see_other("portal:email-changed")


@require_GET
@portal_page()
def email_changed(request: HttpRequest) -> HttpResponse:
    return portal_render(request, "portal/email_changed.html")
