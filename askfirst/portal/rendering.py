"""One way to render a portal page, so every page gets the same frame."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from askfirst.portal.models import PortalLogin

# The links in every page's frame (base.html): reversed once per script prefix,
# not ten times on every request.
FRAME_URLS = (
    "consent",
    "copy",
    "data",
    "history",
    "home",
    "interests",
    "language",
    "leave",
    "logout",
    "password",
)
_frame_urls: dict[str, dict[str, str]] = {}


def frame_urls() -> dict[str, str]:
    prefix = get_script_prefix()
    urls = _frame_urls.get(prefix)
    if urls is None:
        urls = {name: reverse(f"portal:{name}") for name in FRAME_URLS}
        _frame_urls[prefix] = urls
    return urls


def portal_render(
    request: HttpRequest, template: str, context: dict | None = None, *, status: int = 200
) -> HttpResponse:
    access = getattr(request, "portal", None)
    frame = {
        "company": settings.ASKFIRST_COMPANY_NAME,
        "privacy_contact": settings.ASKFIRST_PRIVACY_CONTACT,
        "access": access,
        "contact": access.contact if access else None,
        "urls": frame_urls(),
    }
    return render(request, template, {**frame, **(context or {})}, status=status)


def safe_next(request: HttpRequest, value: str | None, default: str) -> str:
    """Only a path inside the portal: never an open redirect."""
    if (
        value
        and value.startswith("/portal/")
        and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()})
    ):
        return value
    return default


def has_password(contact) -> bool:
    return PortalLogin.objects.filter(contact=contact).exclude(password_hash="").exists()
