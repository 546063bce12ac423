"""Strict headers on every portal page: CSP without unsafe-inline, no referrer, no sniffing."""

import re
from pathlib import Path

import pytest

from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "askfirst" / "portal" / "templates" / "portal"


def test_headers(client, person):
    token = enter(client, person)
    for url in ["/portal/", "/portal/start/", "/portal/consent/", "/portal/link/invalid/unknown/"]:
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        for part in [
            "default-src 'self'",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'none'",
        ]:
            assert part in csp, url
        assert "unsafe-inline" not in csp
        # Same origin only: the browser then still sends Origin, which CSRF checks.
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "no-store"
    # Token URLs only redirect, and send no referrer at all.
    assert client.get(f"/portal/enter/{token}/")["Referrer-Policy"] == "no-referrer"
    assert client.get("/portal/email/confirm/abc/")["Referrer-Policy"] == "no-referrer"


def test_templates_have_no_inline_script_or_style():
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text()
        assert "<script" not in text and "<style" not in text, path.name
        assert not re.search(r"\sstyle=", text), path.name
        assert not re.search(r"\son[a-z]+=", text), path.name
