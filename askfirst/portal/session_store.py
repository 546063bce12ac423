"""Django's database sessions, in PortalSession rows, with the read on every request
made cheap.

Sessions stay in the database (not signed cookies): ending a session, and
"a new password ends every other session", must work across all web processes.
Writes (create, save, delete) are Django's own, plus the row's contact column, set
from the session data. The load:

* reads the row and its person's state (status, languages, login generation) in one
  plain SQL statement through the driver's cursor (askfirst/hotread.py): building
  the ORM query cost more than running it, and a second query for the person cost
  as much again. access.session_access takes the state from `contact_read`;
* checks and decodes the signed session data once per process and distinct
  value: a session's data is the same string on every request until it is
  saved, and a string whose signature held once holds again (the key is the
  whole signed string, so anything altered is a new key and checked afresh).
  The row is still read on every request, so a deleted or expired session ends
  at once in every process.
"""

import copy
from datetime import datetime
from functools import cache
from typing import cast

from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.signals import setting_changed
from django.db import connections, router
from django.dispatch import receiver
from django.utils import timezone

from askfirst.contacts.models import Contact
from askfirst.hotread import rows_read
from askfirst.portal.access import CONTACT, STATE_COLUMNS, ContactState, contact_state, login_join
from askfirst.portal.models import PortalSession

_DECODED_MAX = 4096  # a few MB at most; cleared when full
_decoded: dict[str | bytes, dict] = {}


@receiver(setting_changed)
def _decoded_forget(*, setting: str, **kwargs) -> None:
    """A new SECRET_KEY (or serializer) must check every session again."""
    if setting in {"SECRET_KEY", "SECRET_KEY_FALLBACKS", "SESSION_SERIALIZER"}:
        _decoded.clear()


@cache
def _load_sql() -> str:
    """The session row and, in the same statement, its person's state: what
    access.session_access checks on every portal request."""
    session = PortalSession._meta.db_table
    contact = Contact._meta.db_table
    return (
        f"SELECT s.session_data, s.contact_id, {STATE_COLUMNS} FROM {session} s"
        f" LEFT JOIN {contact} c ON c.id = s.contact_id{login_join('s.contact_id')}"
        f" WHERE s.session_key = %(key)s AND s.expire_date > %(now)s"
    )


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
    # (contact id, its state) as read with the session row; see access.session_access.
    contact_read: tuple[int | None, ContactState | None] | None = None

    @classmethod
    def get_model_class(cls):
        return PortalSession

    def create_model_instance(self, data: dict) -> PortalSession:
        session = cast(PortalSession, super().create_model_instance(data))
        session.contact_id = data.get(CONTACT)
        return session

    async def acreate_model_instance(self, data: dict) -> PortalSession:
        session = cast(PortalSession, await super().acreate_model_instance(data))
        session.contact_id = data.get(CONTACT)
        return session

    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except CreateError:
            # A new row for a person erased meanwhile fails its foreign key, which
            # Django takes for a key already in use: create() would try new keys
            # without end. The session ends instead.
            contact_id = self.get(CONTACT)
            if contact_id is not None and not Contact.objects.filter(pk=contact_id).exists():
                raise UpdateError from None
            raise

    def load(self) -> dict:
        self.contact_read = None
        if not self.session_key:
            self._session_key = None
            return {}
        using = router.db_for_read(self.model)
        rows = rows_read(
            using=using,
            sql=_load_sql(),
            params={"key": self.session_key, "now": _now_for(connections[using])},
        )
        if not rows:
            self._session_key = None
            return {}
        data, contact_id, *state = rows[0]
        self.contact_read = (contact_id, contact_state(tuple(state)))
        return self.decode(data)

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
