"""The pages behind mail links. A GET only shows; the POST acts.

Corporate mail scanners open every link in a mail: a GET that changed
consent would record answers nobody gave.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from askfirst.lifecycle.links import (
    LinkExpired,
    LinkUnknown,
    TextChanged,
    TextUnknown,
    link_act,
    link_find,
    link_text_current,
    portal_link_new,
)
from askfirst.lifecycle.models import LinkToken, TokenPurpose


def _page_language(request: HttpRequest, link: LinkToken | None) -> str:
    if link is not None and link.language in {"de", "en"}:
        return link.language
    requested = translation.get_language_from_request(request)
    return requested if requested in {"de", "en"} else "de"


def _invalid(
    request: HttpRequest,
    exc: Exception | None = None,
    *,
    link: LinkToken | None = None,
    status: int = 404,
) -> HttpResponse:
    """The "link not valid" page (410 when `exc` says it expired); with `link`, a live
    token at an address naming an action it does not offer, in the link's language."""
    language = _page_language(request, link)
    with translation.override(language):
        expired = isinstance(exc, LinkExpired)
        return render(
            request,
            "links/invalid.html",
            {"expired": expired, "language": language},
            status=410 if expired else status,
        )


def _choice(
    request: HttpRequest,
    action: str,
    language: str,
    *,
    error: str = "",
    status: int = 200,
    one_click: bool = False,
) -> HttpResponse:
    """The page with the button. A yes page shows the storage consent text, and
    its form names that version (`text`): the answer records the text shown."""
    text = link_text_current(language=language) if action == TokenPurpose.YES else None
    return render(
        request,
        "links/choice.html",
        {
            "action": action,
            "language": language,
            "consent_text": text,
            "error": error,
            "one_click": one_click,
        },
        status=status,
    )


def _shown_text(request: HttpRequest) -> int | None:
    """The id of the consent text the yes page showed (empty: it showed none)."""
    raw = request.POST.get("text")
    if raw == "":
        return None
    if raw is None or not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise TextUnknown
    return int(raw)


def _done(request: HttpRequest, link: LinkToken, action: str, language: str) -> HttpResponse:
    try:
        text_id = _shown_text(request) if action == TokenPurpose.YES else None
        outcome = link_act(
            link=link,
            action=action,
            language=language,
            ip_address=request.META.get("REMOTE_ADDR"),
            text_id=text_id,
        )
    except (LinkUnknown, LinkExpired) as exc:
        # The person was erased between finding the link and acting on it.
        return _invalid(request, exc)
    except TextUnknown:
        error = _(
            "Your answer did not arrive complete, so nothing was changed."
            " Please press the button again."
        )
        return _choice(request, action, language, error=error, status=400)
    except TextChanged:
        # The proof must name the text the person read: a newer one is read first.
        error = _(
            "The text has changed since you opened this page."
            " Nothing was recorded yet: please read it again."
        )
        return _choice(request, action, language, error=error, status=409)
    # After a yes the portal is where to decide more; after a deactivation it
    # is the way to be deleted completely.
    portal_url = portal_link_new(link=link) if outcome in {"granted", "deactivated"} else None
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
        return _invalid(request, link=link)
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
        return _invalid(request, link=link, status=400)
    language = _page_language(request, link)
    with translation.override(language):
        if request.method != "POST":
            # Opened in a browser (a mail client without one-click): the
            # button posts the one-click body back here.
            return _choice(request, TokenPurpose.DEACTIVATE, language, one_click=True)
        if request.POST.get("List-Unsubscribe") != "One-Click":
            return _invalid(request, link=link, status=400)
        return _done(request, link, TokenPurpose.DEACTIVATE, language)
