"""The portal session: who is in, how they proved it, and when.

The session holds only ids and times (never an address). Erasure and
deactivation still delete a person's session rows (sessions_delete): a row
that outlived its person would say that someone with this id used the portal.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import import_module
from typing import Any
from weakref import WeakKeyDictionary

from django.conf import settings
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest
from django.utils import timezone

from askfirst.contacts.models import Contact
from askfirst.portal import conf
from askfirst.portal.models import PortalLogin

CONTACT = "portal_contact"
VIA = "portal_via"  # "link" or "password"
PROVEN_AT = "portal_proven_at"  # link: when it was issued; password: login time
GENERATION = "portal_generation"
TOKEN_HASH = "portal_token_hash"  # the link that opened the session, for the ledger
LANGUAGE = "portal_language"  # chosen before logging in, or the link's language


@dataclass(frozen=True)
class PortalAccess:
    contact: Contact
    via: str
    proven_at: datetime
    token_hash: str

    def is_fresh(self, *, now: datetime | None = None) -> bool:
        """A link issued, or a password entered, less than an hour ago."""
        now = now or timezone.now()
        return now - self.proven_at < conf.fresh_proof_age()


def login_generation(*, contact: Contact) -> int:
    return (
        PortalLogin.objects.filter(contact=contact).values_list("generation", flat=True).first()
        or 0
    )


def session_open(
    *,
    request: HttpRequest,
    contact: Contact,
    via: str,
    proven_at: datetime,
    token_hash: str = "",
    language: str = "",
) -> None:
    """Start a portal session under a new session key (no fixation)."""
    previous = request.session.get(CONTACT)
    if previous is not None and previous != contact.pk:
        request.session.flush()
    else:
        request.session.cycle_key()
    request.session[CONTACT] = contact.pk
    request.session[VIA] = via
    request.session[PROVEN_AT] = proven_at.timestamp()
    # Everyone with a portal session has a login row (without a password until
    # they set one): sessions_delete searches the session table only for them.
    login, _ = PortalLogin.objects.get_or_create(contact=contact)
    request.session[GENERATION] = login.generation
    request.session[TOKEN_HASH] = token_hash
    if language:
        request.session[LANGUAGE] = language
    request.session.set_expiry(conf.session_age())


@dataclass(frozen=True)
class _ContactQuery:
    sql: str
    names: list[str]
    converters: list[tuple[int, list, Any]]


# Per connection object, not per alias: each thread has its own connection, and
# the backend's converters are bound to theirs.
_contact_queries: "WeakKeyDictionary[BaseDatabaseWrapper, _ContactQuery]" = WeakKeyDictionary()


def _contact_query(connection: BaseDatabaseWrapper) -> _ContactQuery:
    """The contact with its login generation, and how to turn a row into a Contact.

    Built once per connection: the same work RawQuerySet does on every query
    (matching columns to fields, finding each field's converters), which cost
    three times as much as running the query.
    """
    query = _contact_queries.get(connection)
    if query is None:
        fields = Contact._meta.concrete_fields
        table = Contact._meta.db_table
        quote = connection.ops.quote_name
        converters = []
        for position, field in enumerate(fields):
            col = field.get_col(table)
            functions = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
            if functions:
                converters.append((position, functions, col))
        pk = quote(str(Contact._meta.pk.column))
        columns = ", ".join(f"c.{quote(str(field.column))}" for field in fields)
        query = _ContactQuery(
            sql=f"SELECT {columns}, l.generation FROM {quote(table)} c"
            f" LEFT JOIN {quote(PortalLogin._meta.db_table)} l"
            f" ON l.{quote(PortalLogin._meta.get_field('contact').column)} = c.{pk}"
            f" WHERE c.{pk} = %(contact)s",
            names=[field.attname for field in fields],
            converters=converters,
        )
        _contact_queries[connection] = query
    return query


def _contact_with_generation(contact_id: int) -> tuple[Contact, int] | None:
    """One query on every portal request: the contact and its login generation (no
    PortalLogin row is generation 0, as in login_generation).

    Named parameters (%(name)s) here and in the portal's other per-request SQL:
    for "%s" Django's SQLite backend rewrites the statement with a regular
    expression on every execution (9 µs for this one); named ones are a plain
    string format. PostgreSQL takes both as they are."""
    connection = connections[router.db_for_read(Contact)]
    query = _contact_query(connection)
    with connection.cursor() as cursor:
        cursor.execute(query.sql, {"contact": contact_id})
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row[:-1])
    for position, functions, col in query.converters:
        value = values[position]
        for function in functions:
            value = function(value, col, connection)
        values[position] = value
    return Contact.from_db(connection.alias, query.names, values), row[-1] or 0


def session_access(*, request: HttpRequest) -> PortalAccess | None:
    """The live portal session, or None (and the session ends) if it no longer holds.

    It no longer holds when the contact is gone (erased) or the password or
    address changed since it was opened (another generation).
    """
    contact_id = request.session.get(CONTACT)
    if contact_id is None:
        return None
    found = _contact_with_generation(contact_id)
    if found is None or request.session.get(GENERATION) != found[1]:
        request.session.flush()
        return None
    return PortalAccess(
        contact=found[0],
        via=request.session.get(VIA, "link"),
        proven_at=datetime.fromtimestamp(request.session.get(PROVEN_AT, 0), tz=UTC),
        token_hash=request.session.get(TOKEN_HASH, ""),
    )


def session_renew_generation(*, request: HttpRequest, contact: Contact) -> None:
    """After a password change: this session lives on (with a new key), the others end."""
    request.session.cycle_key()
    request.session[GENERATION] = login_generation(contact=contact)


def session_end(*, request: HttpRequest) -> None:
    request.session.flush()


def sessions_delete(*, contact: Contact) -> int:
    """Delete the session rows of every portal session of this person; how many.

    The contact id sits inside the signed session data, so the rows are read and
    decoded (the store decodes each distinct value once per process). A contact
    without a login row never had a session (session_open makes one), so the
    thousands erased at the end of a consent request cost one query each.
    """
    if not PortalLogin.objects.filter(contact_id=contact.pk).exists():
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    model = store.get_model_class()
    decoder = store()
    # Only live rows: an expired session opens nothing (the store's load skips it)
    # and the worker's tidy deletes it (sessions_tidy).
    live = model.objects.filter(expire_date__gt=timezone.now())
    keys = [
        key
        for key, data in live.values_list("session_key", "session_data").iterator(chunk_size=2000)
        if decoder.decode(data).get(CONTACT) == contact.pk
    ]
    deleted, _ = model.objects.filter(session_key__in=keys).delete()
    return deleted


def sessions_tidy() -> None:
    """Delete expired session rows (what `clearsessions` does), so they neither
    pile up nor hold an expired session's data; run by the worker's tidy."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
