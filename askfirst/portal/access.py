"""The portal session: who is in, how they proved it, and when.

The session holds only ids and times (never an address). Erasure and
deactivation still delete a person's session rows (sessions_delete): a row
that outlived its person would say that someone with this id used the portal.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, cached_property
from importlib import import_module

from django.conf import settings
from django.db import router
from django.http import Http404, HttpRequest
from django.utils import timezone

from askfirst.contacts.models import Contact, Status
from askfirst.hotread import rows_read
from askfirst.portal import conf
from askfirst.portal.models import PortalLogin, PortalSession

CONTACT = "portal_contact"
VIA = "portal_via"  # "link" or "password"
PROVEN_AT = "portal_proven_at"  # link: when it was issued; password: login time
GENERATION = "portal_generation"
TOKEN_HASH = "portal_token_hash"  # the link that opened the session, for the ledger
LANGUAGE = "portal_language"  # chosen before logging in, or the link's language

# What a portal request checks of its person: status, portal language, mail language
# and login generation.
ContactState = tuple[str, str, str, int]


@dataclass(frozen=True)
class PortalAccess:
    """Who is in, as of this request's check; `contact` is read when a page needs it."""

    contact_id: int
    status: str
    portal_language: str
    mail_language: str
    via: str
    proven_at: datetime
    token_hash: str

    @property
    def is_deactivated(self) -> bool:
        return self.status == Status.DEACTIVATED

    @cached_property
    def contact(self) -> Contact:
        contact = Contact.objects.filter(pk=self.contact_id).first()
        if contact is None:  # erased since this request's check (another device, staff)
            raise Http404
        return contact

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
    # they set one), so raising its generation (a new password, portal_close)
    # ends every session opened before, one opened meanwhile too.
    login, _ = PortalLogin.objects.get_or_create(contact=contact)
    request.session[GENERATION] = login.generation
    request.session[TOKEN_HASH] = token_hash
    if language:
        request.session[LANGUAGE] = language
    request.session.set_expiry(conf.session_age())


# The columns of a ContactState, from the contact `c` and its login row `l`.
STATE_COLUMNS = "c.status, c.portal_language, c.mail_language, l.generation"


def login_join(contact_id_column: str) -> str:
    """Joins the login row `l` of the person whose id is in `contact_id_column`."""
    login = PortalLogin._meta.db_table
    login_contact = PortalLogin._meta.get_field("contact").column
    return f" LEFT JOIN {login} l ON l.{login_contact} = {contact_id_column}"


def contact_state(row: tuple) -> ContactState | None:
    """STATE_COLUMNS' values as a ContactState; None if the contact is not there (no
    PortalLogin row is generation 0, as in login_generation)."""
    status, portal_language, mail_language, generation = row
    if status is None:
        return None
    return status, portal_language, mail_language, generation or 0


@cache
def _check_sql() -> str:
    """What every portal request needs to let the person in and pick the page's
    language. Not the whole contact: building a Contact (33 fields, their converters)
    cost as much as the query, and the busiest page, consent, never needs the rest
    (PortalAccess.contact reads it when a page does)."""
    contact = Contact._meta.db_table
    return f"SELECT {STATE_COLUMNS} FROM {contact} c{login_join('c.id')} WHERE c.id = %(contact)s"


def _contact_check(contact_id: int) -> ContactState | None:
    """One query, when the session store did not read the state with the session."""
    rows = rows_read(
        using=router.db_for_read(Contact), sql=_check_sql(), params={"contact": contact_id}
    )
    return contact_state(rows[0]) if rows else None


def _contact_state(request: HttpRequest, contact_id: int) -> ContactState | None:
    """The person's state as the session store read it with the session row (one
    statement for both), else from its own query (a store without that, or session
    data changed since it was read)."""
    read = getattr(request.session, "contact_read", None)
    if read is not None and read[0] == contact_id:
        return read[1]
    return _contact_check(contact_id)


def session_access(*, request: HttpRequest) -> PortalAccess | None:
    """The live portal session, or None (and the session ends) if it no longer holds.

    It no longer holds when the contact is gone (erased) or the password or
    address changed since it was opened (another generation).
    """
    contact_id = request.session.get(CONTACT)
    if contact_id is None:
        return None
    found = _contact_state(request, contact_id)
    if found is None or request.session.get(GENERATION) != found[3]:
        request.session.flush()
        return None
    return PortalAccess(
        contact_id=contact_id,
        status=found[0],
        portal_language=found[1],
        mail_language=found[2],
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
    """Delete every session row of this person (live or expired); how many.

    One indexed DELETE: the session row names its person (PortalSession).
    """
    deleted, _ = PortalSession.objects.filter(contact_id=contact.pk).delete()
    return deleted


def sessions_tidy() -> None:
    """Delete expired session rows (what `clearsessions` does), so they neither
    pile up nor hold an expired session's data; run by the worker's tidy."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
