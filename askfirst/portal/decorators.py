"""How each portal view gets its person and its language."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from askfirst.portal.access import LANGUAGE, PortalAccess, session_access

LANGUAGES = ("de", "en")


def page_language(request: HttpRequest, access: PortalAccess | None) -> str:
    """The person's choice, else this session's, else the mail's, else the browser's."""
    if access is not None and access.portal_language in LANGUAGES:
        return access.portal_language
    chosen = request.session.get(LANGUAGE)
    if chosen in LANGUAGES:
        return chosen
    if access is not None and access.mail_language in LANGUAGES:
        return access.mail_language
    browser = translation.get_language_from_request(request)[:2]
    return browser if browser in LANGUAGES else "de"


def _in_language(request: HttpRequest, language: str, view: Callable, *args, **kwargs):
    request.portal_language = language  # type: ignore[attr-defined]
    if translation.get_language() == language:
        # Already active (LocaleMiddleware chose the same): override would only
        # activate it and then activate it again.
        response = _rendered(view(request, *args, **kwargs))
    else:
        with translation.override(language):
            response = _rendered(view(request, *args, **kwargs))
    response.headers["Content-Language"] = language
    return response


def _rendered(response: HttpResponse) -> HttpResponse:
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response


def portal_public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for anyone (start, link request, login): language only."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        access = session_access(request=request)
        request.portal = access  # type: ignore[attr-defined]
        return _in_language(request, page_language(request, access), view, *args, **kwargs)

    return wrapped


def portal_page(
    *, fresh: bool = False, deactivated_ok: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A page for the person in session; `fresh` ones need a recent link or password."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            access = session_access(request=request)
            if access is None:
                return redirect("portal:start")
            request.portal = access  # type: ignore[attr-defined]
            if access.is_deactivated and not deactivated_ok:
                return redirect("portal:home")
            if fresh and not access.is_fresh():
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('portal:fresh')}?{query}")
            return _in_language(request, page_language(request, access), view, *args, **kwargs)

        return wrapped

    return decorate


def client_ip(request: HttpRequest) -> str | None:
    """The peer address. Behind a proxy, the operator's server must set REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR")
