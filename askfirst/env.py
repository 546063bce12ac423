"""Typed readers for settings from the environment.

Each one fails loudly on a value it cannot parse: a typo in an operator's
environment must stop the process at start-up, not change behaviour silently.
"""

import ipaddress
import os
import re
from datetime import timedelta
from email.utils import getaddresses
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.http import is_same_domain

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


# --- Production refuses what only makes sense on a developer's machine ---

# Hosts that name this machine: a link to one in a mail leads nowhere.
_LOCAL_NAMES = {"localhost", "localhost.localdomain"}
# Domains reserved for examples and tests (RFC 2606, RFC 6761): no mail to an
# address there is ever read, no link there ever opens.
_EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")
_EXAMPLE_TLDS = ("example", "invalid", "test", "localhost")


def is_local_host(host: str) -> bool:
    """localhost, 127.0.0.0/8, ::1 (also as ::ffff:127.x), 0.0.0.0 and ::."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


def is_example_domain(domain: str) -> bool:
    domain = domain.strip().rstrip(".").lower()
    return any(domain == d or domain.endswith("." + d) for d in _EXAMPLE_DOMAINS) or (
        domain.rpartition(".")[2] in _EXAMPLE_TLDS
    )


def require_public_https_url(name: str, url: str, *, allowed_hosts: list[str]) -> None:
    """The address people open from their mails: https, and a host they can reach."""
    parts = urlsplit(url)
    try:
        host = parts.hostname or ""
        parts.port  # noqa: B018 (raises on a port that is no number)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={url!r} is not a valid URL.") from None
    if parts.scheme != "https" or not host:
        raise ImproperlyConfigured(
            f"{name}={url!r} must be an https:// address in production: "
            "every mail links to it, and people open those links from anywhere."
        )
    if is_local_host(host):
        raise ImproperlyConfigured(
            f"{name}={url!r} names this machine ({host}); in production it must be the "
            "public address people open from their mails."
        )
    if is_example_domain(host):
        raise ImproperlyConfigured(
            f"{name}={url!r} is an example domain; set the public address of this server."
        )
    # As Django's validate_host (django.http, heavy to import while settings load).
    if not any(pattern == "*" or is_same_domain(host, pattern) for pattern in allowed_hosts):
        raise ImproperlyConfigured(
            f"{name}={url!r}: its host {host!r} is not in ASKFIRST_ALLOWED_HOSTS, "
            "so every link in a mail would be answered with 400 Bad Request."
        )


def refuse_example(name: str, value: str, *, shipped: str) -> None:
    """A value left at the shipped example (or empty) stops production."""
    if not value.strip():
        raise ImproperlyConfigured(f"{name} must be set in production.")
    if " ".join(value.split()).casefold() == " ".join(shipped.split()).casefold():
        raise ImproperlyConfigured(
            f"{name}={value!r} is the shipped example; set your own in production "
            "(it appears in every mail)."
        )


def refuse_example_address(name: str, value: str, *, shipped: str) -> None:
    """As refuse_example, and no address at a domain reserved for examples."""
    refuse_example(name, value, shipped=shipped)
    for _display, address in getaddresses([value]):
        local, at, domain = address.rpartition("@")
        if not (local and at and domain) or is_example_domain(domain) or is_local_host(domain):
            raise ImproperlyConfigured(
                f"{name}={value!r}: {address or value!r} is no address anyone reads; "
                "set a real one in production (people write to it)."
            )


def require_smtp_tls_for_login(
    *, host: str, user: str, starttls: bool, implicit_tls: bool, ca_file: str
) -> None:
    """SMTP settings that contradict each other or send a password in clear."""
    if starttls and implicit_tls:
        raise ImproperlyConfigured(
            "ASKFIRST_SMTP_STARTTLS and ASKFIRST_SMTP_IMPLICIT_TLS are both on; "
            "choose one (implicit TLS: usually port 465; STARTTLS: 587 or 25)."
        )
    if ca_file and not (starttls or implicit_tls):
        raise ImproperlyConfigured(
            f"ASKFIRST_SMTP_CA_FILE={ca_file!r} is set but no TLS is on "
            "(ASKFIRST_SMTP_STARTTLS or ASKFIRST_SMTP_IMPLICIT_TLS)."
        )
    if ca_file and not os.path.isfile(ca_file):
        raise ImproperlyConfigured(f"ASKFIRST_SMTP_CA_FILE={ca_file!r} is not a readable file.")
    if user and not (starttls or implicit_tls) and not is_local_host(host):
        raise ImproperlyConfigured(
            f"ASKFIRST_SMTP_USER is set but the connection to ASKFIRST_SMTP_HOST={host!r} "
            "has no TLS: the password would cross the network in clear. Turn on "
            "ASKFIRST_SMTP_STARTTLS or ASKFIRST_SMTP_IMPLICIT_TLS."
        )
