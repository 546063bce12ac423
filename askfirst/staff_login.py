"""The staff login (/admin/login/), throttled like the portal's password login.

Failed logins are counted per typed username and per client address in the
portal's fixed-window counters (askfirst/portal/throttle.py: HMAC keys, so no
row holds a username or an address in clear; `askfirst` workers tidy old
windows). Past either limit, login is refused — the right password too — until
the window that began with the first failure ends. A username that does not
exist is counted and locked the same way, and a locked login checks no
password at all, so the answer never tells whether an account exists.
"""

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from askfirst.portal.throttle import LoginThrottle

USER_SCOPE = "staff-login-user"
IP_SCOPE = "staff-login-ip"
LOCKED = "locked"


def limit_user() -> tuple[int, timedelta]:
    """Failed logins per username before a temporary lockout (the window)."""
    return getattr(settings, "ASKFIRST_STAFF_LOGIN_LIMIT_USER", (5, timedelta(minutes=15)))


def limit_ip() -> tuple[int, timedelta]:
    """Failed logins per client address (an office behind one NAT shares it)."""
    return getattr(settings, "ASKFIRST_STAFF_LOGIN_LIMIT_IP", (20, timedelta(minutes=15)))


def client_key(request: HttpRequest | None) -> str:
    """The peer address; IPv6 by its /64, which one machine usually holds whole."""
    raw = (request.META.get("REMOTE_ADDR") or "") if request is not None else ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if address.version == 6:
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


STAFF_LOGIN = LoginThrottle(
    account_scope=USER_SCOPE, ip_scope=IP_SCOPE, account_limit=limit_user, ip_limit=limit_ip
)


class StaffLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        LOCKED: _(
            "Too many failed logins. To protect the accounts, logging in is paused "
            "for a while. Please try again later."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()
        ip = client_key(self.request)
        now = timezone.now()
        if STAFF_LOGIN.blocked(account=username, ip=ip, now=now):
            raise ValidationError(self.error_messages[LOCKED], code=LOCKED)
        try:
            cleaned = super().clean()
        except ValidationError:
            # A wrong password, an unknown or inactive user, or no staff flag.
            STAFF_LOGIN.failed(account=username, ip=ip, now=now)
            raise
        STAFF_LOGIN.succeeded(account=username)
        return cleaned


def staff_login(request: HttpRequest) -> HttpResponse:
    """The admin's own login view with StaffLoginForm; 429 while locked."""
    response = admin.site.login(request)
    form = (getattr(response, "context_data", None) or {}).get("form")
    if form is not None and form.has_error(NON_FIELD_ERRORS, code=LOCKED):
        response.status_code = 429
    return response
