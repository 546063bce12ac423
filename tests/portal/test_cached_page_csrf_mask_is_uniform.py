"""The cached consent page gets its CSRF token from askfirst/portal/rendering.py's
csrf_token, not Django's get_token: the mask is drawn from random bytes (those from 248
up dropped, the rest modulo 62). Each token must unmask to the cookie's secret, and the
mask's characters must be spread evenly over the whole alphabet, as Django's are."""

from collections import Counter

from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token
from django.test import RequestFactory

from askfirst.portal.rendering import csrf_token

SECRET = "aZ09" * 8  # first and last of each range of the alphabet


def test_tokens_unmask_to_the_secret_with_even_masks():
    request = RequestFactory().get("/portal/consent/")
    request.META["CSRF_COOKIE"] = SECRET
    tokens = [csrf_token(request) for _ in range(4000)]
    assert "CSRF_COOKIE_NEEDS_UPDATE" not in request.META  # the browser has the cookie
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        assert len(token) == 64 and set(token) <= set(CSRF_ALLOWED_CHARS)
        assert _unmask_cipher_token(token) == SECRET
    counts = Counter("".join(token[:32] for token in tokens))
    expected = 4000 * 32 / len(CSRF_ALLOWED_CHARS)  # about 2,065 each
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    assert all(abs(count - expected) < 0.15 * expected for count in counts.values()), counts


def test_a_request_without_a_cookie_gets_one():
    request = RequestFactory().get("/portal/consent/")
    token = csrf_token(request)
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
