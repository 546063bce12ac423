"""Django's database sessions, with the read on every request made cheap.

Sessions stay in the database (not signed cookies): ending a session, and
"a new password ends every other session", must work across all web processes.
Only the load differs from django.contrib.sessions.backends.db; writes (create,
save, delete) are Django's own. Once the consent page's rendering was cached, the
load was a sixth of the page's cost:

* the row is read in plain SQL through the driver's cursor (askfirst/hotread.py):
  building the ORM query cost more than running it;
* the signed session data is checked and decoded once per process and distinct
  value: a session's data is the same string on every request until it is
  saved, and a string whose signature held once holds again (the key is the
  whole signed string, so anything altered is a new key and checked afresh).
  The row is still read on every request, so a deleted or expired session ends
  at once in every process.
"""

import copy
from datetime import datetime
from functools import cache

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.signals import setting_changed
from django.db import connections, router
from django.dispatch import receiver
from django.utils import timezone

from askfirst.hotread import rows_read

_DECODED_MAX = 4096  # a few MB at most; cleared when full
_decoded: dict[str | bytes, dict] = {}


@receiver(setting_changed)
def _decoded_forget(*, setting: str, **kwargs) -> None:
    """A new SECRET_KEY (or serializer) must check every session again."""
    if setting in {"SECRET_KEY", "SECRET_KEY_FALLBACKS", "SESSION_SERIALIZER"}:
        _decoded.clear()


@cache
def _load_sql(table: str) -> str:
    return f"SELECT session_data FROM {table} WHERE session_key = %(key)s AND expire_date > %(now)s"


def _now_for(connection) -> datetime | str:
    """Now, bound as Django binds a DateTimeField: on SQLite the naive UTC time as
    text ("YYYY-MM-DD HH:MM:SS[.ffffff]"), which is what the backend's
    adapt_datetimefield_value gives (in 13 µs) when the database has no TIME_ZONE
    of its own."""
    now = timezone.now()
    if connection.vendor != "sqlite":
        return now
    if connection.timezone_name != "UTC":
        return connection.ops.adapt_datetimefield_value(now)
    return str(now.replace(tzinfo=None))


class SessionStore(DatabaseSessionStore):
    def load(self) -> dict:
        if not self.session_key:
            self._session_key = None
            return {}
        model = self.model
        using = router.db_for_read(model)
        rows = rows_read(
            using=using,
            sql=_load_sql(model._meta.db_table),
            params={"key": self.session_key, "now": _now_for(connections[using])},
        )
        if not rows:
            self._session_key = None
            return {}
        return self.decode(rows[0][0])

    def decode(self, session_data: str | bytes) -> dict:
        decoded = _decoded.get(session_data)
        if decoded is None:
            decoded = super().decode(session_data)
            if not decoded:  # bad signature or empty: nothing worth keeping
                return decoded
            if len(_decoded) >= _DECODED_MAX:
                _decoded.clear()
            _decoded[session_data] = decoded
        # The caller owns (and changes) what it gets: a copy, nested values too.
        return {
            key: copy.deepcopy(value) if isinstance(value, list | dict) else value
            for key, value in decoded.items()
        }
