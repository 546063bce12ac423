"""Strict security headers on every portal page and every mail-link page.

No inline script or style exists in the portal's templates, so the policy can
forbid them; pages carry personal data, so nothing is cached, and no Referer (which
could carry a link token) ever leaves the site.
"""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CSP = (
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
# The portal and the pages behind mail links (/l/<token>/).
PREFIXES = ("/portal/", "/l/")
# URLs that carry a token: they only redirect (or say the link is bad), and send
# no Referer at all. Every other page sends one only to ourselves: a stricter
# "no-referrer" there makes browsers post `Origin: null`, which CSRF refuses.
# The mail-link pages keep their token in the URL, but they only post back to
# themselves: "same-origin" sends it nowhere else.
TOKENISED = re.compile(r"^/portal/(?:enter|email/confirm)/[^/]+/$")


class PortalSecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(PREFIXES):
            response.headers["Content-Security-Policy"] = CSP
            tokenised = TOKENISED.match(request.path) is not None
            response.headers["Referrer-Policy"] = "no-referrer" if tokenised else "same-origin"
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
            response.headers["Cache-Control"] = "no-store"
        return response
