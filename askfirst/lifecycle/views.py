"""The pages behind mail links. A GET only shows; the POST acts.

Corporate mail scanners open every link in a mail: a GET that changed
consent would record answers nobody gave.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from askfirst.consent.models import PurposeKey
from askfirst.consent.services import consent_text_current
from askfirst.lifecycle.links import (
    LinkExpired,
    LinkUnknown,
    link_act,
    link_find,
    portal_link_new,
)
from askfirst.lifecycle.models import LinkToken, TokenPurpose


def _page_language(request: HttpRequest, link: LinkToken | None) -> str:
    if link is not None and link.language in {"de", "en"}:
        return link.language
    requested = translation.get_language_from_request(request)
    return requested if requested in {"de", "en"} else "de"


def _invalid(request: HttpRequest, exc: Exception) -> HttpResponse:
    language = _page_language(request, None)
    with translation.override(language):
        expired = isinstance(exc, LinkExpired)
        return render(
            request,
            "links/invalid.html",
            {"expired": expired, "language": language},
            status=410 if expired else 404,
        )


def _choice(request: HttpRequest, action: str, language: str) -> HttpResponse:
    text = None
    if action == TokenPurpose.YES:
        from askfirst.consent.models import Purpose

        purpose = Purpose.objects.filter(key=PurposeKey.STORAGE).first()
        if purpose is not None:
            text = consent_text_current(purpose=purpose, language=language)
    return render(
        request,
        "links/choice.html",
        {"action": action, "language": language, "consent_text": text},
    )


def _done(request: HttpRequest, link: LinkToken, action: str, language: str) -> HttpResponse:
    try:
        outcome = link_act(
            link=link, action=action, language=language, ip_address=request.META.get("REMOTE_ADDR")
        )
    except (LinkUnknown, LinkExpired) as exc:
        # The person was erased between finding the link and acting on it.
        return _invalid(request, exc)
    portal_url = portal_link_new(link=link) if outcome == "granted" else None
    return render(
        request,
        "links/done.html",
        {"outcome": outcome, "language": language, "portal_url": portal_url},
    )


def _live_link(request: HttpRequest, token: str) -> LinkToken | HttpResponse:
    """The link behind a token, or the page to answer with instead."""
    try:
        return link_find(token=token)
    except (LinkUnknown, LinkExpired) as exc:
        return _invalid(request, exc)


def _not_offered(request: HttpRequest, link: LinkToken, status: int) -> HttpResponse:
    """A live token at an address that names an action it does not offer."""
    language = _page_language(request, link)
    with translation.override(language):
        return render(
            request, "links/invalid.html", {"expired": False, "language": language}, status=status
        )


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def link_page(request: HttpRequest, token: str, action: str | None = None) -> HttpResponse:
    """`/l/<token>/` (the portal, or a single-purpose token's action) and
    `/l/<token>/yes/`, `/l/<token>/deactivate/` (the actions of a mail's links)."""
    link = _live_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    offered = link.action(action)
    if offered is None:
        return _not_offered(request, link, status=404)
    if offered == TokenPurpose.PORTAL:
        # Opening the portal records no answer; the portal takes the token
        # out of the address bar at once.
        return redirect("portal:enter", token=token)
    language = _page_language(request, link)
    with translation.override(language):
        if request.method != "POST":
            return _choice(request, offered, language)
        return _done(request, link, offered, language)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def link_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """RFC 8058 one-click: a POST with `List-Unsubscribe=One-Click` deactivates.

    No session and no CSRF token exist here (the mail client posts directly);
    the personal token is the authentication. A GET shows the normal page.
    """
    link = _live_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    if link.action(TokenPurpose.DEACTIVATE) is None:
        return _not_offered(request, link, status=400)
    language = _page_language(request, link)
    with translation.override(language):
        if request.method != "POST":
            return _choice(request, TokenPurpose.DEACTIVATE, language)
        if request.POST.get("List-Unsubscribe") != "One-Click":
            return _not_offered(request, link, status=400)
        return _done(request, link, TokenPurpose.DEACTIVATE, language)
