"""Portal limits. Each can be overridden in settings (tests shorten them)."""

from datetime import timedelta

from django.conf import settings


def _get(name: str, default):
    return getattr(settings, name, default)


def fresh_proof_age() -> timedelta:
    """How long a link or password proves the person for deleting, exporting, …"""
    return _get("ASKFIRST_PORTAL_FRESH_PROOF", timedelta(hours=1))


def session_age() -> int:
    """Seconds a portal session lives (personal data: shorter than the default)."""
    return _get("ASKFIRST_PORTAL_SESSION_SECONDS", 2 * 3600)


def link_request_floor() -> float:
    """Seconds every fresh-link request takes, known address or not."""
    return _get("ASKFIRST_PORTAL_LINK_FLOOR", 0.35)


# (limit, window) pairs.
def link_limit_address() -> tuple[int, timedelta]:
    return _get("ASKFIRST_PORTAL_LINK_LIMIT_ADDRESS", (3, timedelta(hours=1)))


def link_limit_ip() -> tuple[int, timedelta]:
    return _get("ASKFIRST_PORTAL_LINK_LIMIT_IP", (20, timedelta(hours=1)))


def login_limit_address() -> tuple[int, timedelta]:
    """Failed logins per address before a temporary lockout (the window)."""
    return _get("ASKFIRST_PORTAL_LOGIN_LIMIT_ADDRESS", (5, timedelta(minutes=15)))


def login_limit_ip() -> tuple[int, timedelta]:
    return _get("ASKFIRST_PORTAL_LOGIN_LIMIT_IP", (50, timedelta(minutes=15)))


def email_change_limit() -> tuple[int, timedelta]:
    return _get("ASKFIRST_PORTAL_EMAIL_CHANGE_LIMIT", (3, timedelta(hours=1)))


def email_change_age() -> timedelta:
    return _get("ASKFIRST_PORTAL_EMAIL_CHANGE_AGE", timedelta(hours=24))
