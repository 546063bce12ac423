"""One way to render a portal page, so every page gets the same frame."""

import os
import secrets
from collections.abc import Callable, Hashable
from operator import add

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme

from askfirst.contacts.models import Contact
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
        # The same token the cached pages get (in place of the csrf context processor's).
        "csrf_token": SimpleLazyObject(lambda: csrf_token(request)),
    }
    return render(request, template, {**frame, **(context or {})}, status=status)


_BASE = len(CSRF_ALLOWED_CHARS)
_ALPHABET = CSRF_ALLOWED_CHARS.encode("ascii")
# Random bytes from 248 up are dropped, so that byte % 62 is uniform (248 = 4 * 62).
_UNEVEN = bytes(range(256 - 256 % _BASE, 256))
_MOD_BASE = bytes(value % _BASE for value in range(256))
# A digit, or the sum of two (below 2 * 62), to its character; a character to its digit.
_DIGIT_CHAR = bytes(_ALPHABET[value % _BASE] if value < 2 * _BASE else 0 for value in range(256))
_CHAR_DIGIT = bytes(_ALPHABET.index(value) if value in _ALPHABET else 0 for value in range(256))


def csrf_token(request: HttpRequest) -> str:
    """What django.middleware.csrf.get_token gives: the cookie's secret under a new
    random mask (so no two responses carry the same token).

    Django draws the mask one character at a time, each from the operating
    system (32 system calls, 40 µs: a tenth of the cached consent page); here
    one read of random bytes gives the 32 mask digits (uniform: bytes from 248
    up are dropped, the rest taken modulo 62), and the cipher is the secret's
    digits plus the mask's, modulo 62, done by byte tables rather than a loop
    per character. Without a cookie yet, Django's get_token makes one.

    A cookie the browser already sent is not sent back: Django would, only to push
    its expiry (CSRF_COOKIE_AGE, a year) forward, and building that header was a
    twentieth of the consent page. The cost: a year after the cookie was set, a
    form loaded just before it expired is refused once; the next page sets a new one.
    tests/portal/test_consent_page_is_cached_safely.py checks that Django's
    middleware accepts these tokens and that they unmask to the cookie's secret.
    """
    secret = request.META.get("CSRF_COOKIE")
    if not secret or len(secret) != CSRF_SECRET_LENGTH:
        return get_token(request)
    digits = b""
    while len(digits) < CSRF_SECRET_LENGTH:
        digits += os.urandom(CSRF_SECRET_LENGTH + 8).translate(None, _UNEVEN)
    digits = digits[:CSRF_SECRET_LENGTH].translate(_MOD_BASE)
    cipher = bytes(map(add, secret.encode("ascii").translate(_CHAR_DIGIT), digits))
    return (digits.translate(_DIGIT_CHAR) + cipher.translate(_DIGIT_CHAR)).decode("ascii")


# Pages whose whole content follows from a small key (the consent page: the
# purposes, their current texts and this person's answers), rendered once per
# process: Django's template engine was two thirds of the consent page's cost.
# Only the CSRF token differs between two people with the same answers: the
# page is rendered with this marker in its place (random, so no text can hold
# it), and each response gets its own freshly masked token, as render() gives.
# The page is kept encoded (UTF-8, as HttpResponse would encode it on every
# request) and the token goes in as bytes.
_CSRF_MARK = "csrf" + secrets.token_hex(16)
_CSRF_MARK_BYTES = _CSRF_MARK.encode("ascii")
_SHARED_MAX = 512  # bounded: every change of a text leaves old pages behind
_shared: dict[tuple, bytes] = {}


@receiver(setting_changed)
def _shared_forget(**kwargs) -> None:
    """The frame shows settings (company, privacy contact, static and page URLs)."""
    _shared.clear()
    _frame_urls.clear()


def portal_render_shared(
    request: HttpRequest, template: str, key: Hashable, context: Callable[[], dict]
) -> HttpResponse:
    """portal_render for a page that shows nothing personal beyond what `key` holds.

    `key` must hold every value the page is made from (besides the language, the
    path and the frame, which are added here); `context()` builds the template's
    context and is called only when the page is not cached yet. The page is
    rendered without the person: the frame's contact is a blank stand-in with
    only the status, so a template that started to show a name would show it
    empty rather than show one person's name to another.

    Rendered afresh (portal_render): pages with a message waiting or a query
    string (the language form carries the full path), and everything in DEBUG,
    where templates change under a running server.
    """
    access = getattr(request, "portal", None)
    if settings.DEBUG or request.META.get("QUERY_STRING") or len(get_messages(request)):
        return portal_render(request, template, context())
    status = access.status if access else None
    full_key = (
        template,
        translation.get_language(),
        get_script_prefix(),
        request.path,
        status,
        key,
    )
    page = _shared.get(full_key)
    if page is None:
        stand_in = None if access is None else Contact(status=access.status)
        frame = {
            "company": settings.ASKFIRST_COMPANY_NAME,
            "privacy_contact": settings.ASKFIRST_PRIVACY_CONTACT,
            "access": None,
            "contact": stand_in,
            "urls": frame_urls(),
        }
        page = render_to_string(
            template,
            {**frame, **context(), "csrf_token": _CSRF_MARK, "messages": ()},
            request=request,
        ).encode(settings.DEFAULT_CHARSET)
        if len(_shared) >= _SHARED_MAX:
            _shared.clear()
        _shared[full_key] = page
    return HttpResponse(page.replace(_CSRF_MARK_BYTES, csrf_token(request).encode("ascii")))


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
