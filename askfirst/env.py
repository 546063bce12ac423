"""Typed readers for settings from the environment.

Each one fails loudly on a value it cannot parse: a typo in an operator's
environment must stop the process at start-up, not change behaviour silently.
"""

import os
import re
from datetime import timedelta
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choices(name: str, default: list[str], choices: set[str]) -> list[str]:
    """A comma-separated list whose every item is one of `choices`."""
    values = env_list(name, default)
    unknown = [value for value in values if value not in choices]
    if unknown:
        raise ImproperlyConfigured(
            f"{name}: {', '.join(map(repr, unknown))} not among {sorted(choices)}."
        )
    return values


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, default).strip()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {sorted(choices)}.")
    return value


_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")


def parse_duration(raw: str, *, name: str = "duration") -> timedelta:
    """'30s', '10m', '2h', '7d', '1w' → timedelta."""
    match = _DURATION.match(raw or "")
    if match is None:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a duration (a number and a unit: s, m, h, d or w)."
        )
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


# Request, at most ten reminders, expiry. Each offset is a mail to someone who
# has not answered (the default sends four reminders): a longer list is a
# mistake in the setting, not a campaign.
SCHEDULE_MAX_OFFSETS = 12


def parse_schedule(raw: str, *, name: str = "ASKFIRST_SCHEDULE") -> tuple[timedelta, ...]:
    """Offsets from the start: the request, up to ten reminders, then expiry.

    "0d,7d,14d,21d,28d,30d" is the default; "0m,2m,4m,6m,8m,10m" the demo.
    """
    parts = [part.strip() for part in (raw or "").split(",") if part.strip()]
    offsets: list[timedelta] = []
    for part in parts:
        if _DURATION.match(part) is None:
            # Name the whole setting and the part at fault: "7x" alone is no clue.
            raise ImproperlyConfigured(
                f"{name}={raw!r}: {part!r} is not a duration "
                "(a number and a unit: s, m, h, d or w)."
            )
        offsets.append(parse_duration(part, name=name))
    if len(offsets) < 2:
        raise ImproperlyConfigured(f"{name}={raw!r} needs at least a request and an expiry.")
    if len(offsets) > SCHEDULE_MAX_OFFSETS:
        raise ImproperlyConfigured(
            f"{name}={raw!r} has {len(offsets)} offsets; at most {SCHEDULE_MAX_OFFSETS} "
            f"(the request, {SCHEDULE_MAX_OFFSETS - 2} reminders and the expiry)."
        )
    for n in range(1, len(offsets)):
        if offsets[n] <= offsets[n - 1]:
            raise ImproperlyConfigured(
                f"{name}={raw!r} must increase strictly: "
                f"{parts[n]!r} does not come after {parts[n - 1]!r}."
            )
    return tuple(offsets)


def env_duration(name: str, default: str) -> timedelta:
    return parse_duration(os.environ.get(name, default), name=name)


# Keep a connection per web thread across requests: opening one costs a
# round trip and authentication on PostgreSQL, and on SQLite the PRAGMAs below
# plus, when the last connection closes, a WAL checkpoint that makes the other
# process wait (py-spy: opening and closing took about an eighth of a portal
# worker's time). The health check replaces a broken one before a request.
_PERSISTENT = {"CONN_MAX_AGE": 600, "CONN_HEALTH_CHECKS": True}


def database_from_url(url: str) -> dict:
    """Translate a postgresql:// or sqlite:/// URL into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme in {"postgres", "postgresql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured("DATABASE_URL needs a database name after the host.")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            **_PERSISTENT,
        }
    if parts.scheme == "sqlite":
        # sqlite:////abs/path.sqlite3 is absolute, sqlite:///var/x.sqlite3 relative.
        path = unquote(parts.path)[1:]
        if not path:
            raise ImproperlyConfigured("DATABASE_URL needs a file path: sqlite:////abs/path")
        return sqlite_database(path)
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parts.scheme!r} is not supported (postgresql:// or sqlite:///)."
    )


def sqlite_database(path: str) -> dict:
    return {
        # Django's backend, with writers queued (askfirst/sqlite/base.py).
        "ENGINE": "askfirst.sqlite",
        "NAME": path,
        **_PERSISTENT,
        "OPTIONS": {
            # IMMEDIATE: a writer takes the lock at BEGIN, so two writers queue
            # instead of failing mid-transaction with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # secure_delete overwrites freed pages, so an erased person's bytes
            # do not linger in the file.
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA secure_delete=ON;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA cache_size=-65536;"
                "PRAGMA wal_autocheckpoint=16384;"
            ),
        },
        "TEST": {"NAME": path.replace(".sqlite3", ".test.sqlite3")},
    }
