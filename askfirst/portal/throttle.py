"""Fixed-window counters in the database, keyed by an HMAC of what they count.

The HMAC (keyed with SECRET_KEY) means a throttle row never holds an address
or IP in clear, and nobody without the key can test guesses against it.
"""

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from askfirst.portal.models import Throttle

SCOPES = ("link-address", "link-ip", "login-address", "login-ip", "email-change")


def throttle_key(*, scope: str, value: str) -> str:
    message = f"{scope}\x00{value.lower()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _live_count(row: Throttle | None, *, window: timedelta, now: datetime) -> int:
    if row is None or row.window_start + window <= now:
        return 0
    return row.count


def throttle_count(*, scope: str, value: str, window: timedelta, now: datetime) -> int:
    row = Throttle.objects.filter(key=throttle_key(scope=scope, value=value)).first()
    return _live_count(row, window=window, now=now)


def throttle_blocked(
    *, scope: str, value: str, limit: tuple[int, timedelta], now: datetime
) -> bool:
    most, window = limit
    return throttle_count(scope=scope, value=value, window=window, now=now) >= most


def throttle_hit(*, scope: str, value: str, window: timedelta, now: datetime) -> int:
    """Count one event; return the count in the current window (this one included)."""
    key = throttle_key(scope=scope, value=value)
    with transaction.atomic():
        row, created = Throttle.objects.get_or_create(
            key=key, defaults={"window_start": now, "count": 0}
        )
        # Lock it: two processes counting at once must both be counted.
        row = Throttle.objects.select_for_update().get(pk=row.pk)
        if row.window_start + window <= now:
            row.window_start = now
            row.count = 0
        row.count += 1
        row.save(update_fields=["window_start", "count"])
        return row.count


def throttle_clear(*, scope: str, value: str) -> None:
    Throttle.objects.filter(key=throttle_key(scope=scope, value=value)).delete()


@dataclass(frozen=True)
class LoginThrottle:
    """Failed logins counted per account and per client address; past either
    limit, logging in is refused until that window ends. A success clears the
    account's count, not the address's (the portal's and the staff login)."""

    account_scope: str
    ip_scope: str
    account_limit: Callable[[], tuple[int, timedelta]]
    ip_limit: Callable[[], tuple[int, timedelta]]

    def blocked(self, *, account: str, ip: str, now: datetime) -> bool:
        return throttle_blocked(
            scope=self.account_scope, value=account, limit=self.account_limit(), now=now
        ) or throttle_blocked(scope=self.ip_scope, value=ip, limit=self.ip_limit(), now=now)

    def failed(self, *, account: str, ip: str, now: datetime) -> None:
        throttle_hit(
            scope=self.account_scope, value=account, window=self.account_limit()[1], now=now
        )
        throttle_hit(scope=self.ip_scope, value=ip, window=self.ip_limit()[1], now=now)

    def succeeded(self, *, account: str) -> None:
        throttle_clear(scope=self.account_scope, value=account)


def throttle_forget_address(*, email_key: str) -> None:
    """An erased person leaves no counter behind either."""
    keys = [throttle_key(scope=scope, value=email_key) for scope in SCOPES]
    Throttle.objects.filter(key__in=keys).delete()


def throttle_forget(*, contact) -> None:
    """Part of erasure (ASKFIRST_ERASURE_STEPS), whichever way it happens."""
    throttle_forget_address(email_key=contact.email_key)


def throttle_tidy(*, now: datetime, older_than: timedelta = timedelta(days=1)) -> int:
    deleted, _ = Throttle.objects.filter(window_start__lt=now - older_than).delete()
    return deleted
