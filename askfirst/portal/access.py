"""The portal session: who is in, how they proved it, and when.

The session holds only ids and times (never an address), so session rows
left behind after an erasure say nothing about the person.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

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
    request.session[GENERATION] = login_generation(contact=contact)
    request.session[TOKEN_HASH] = token_hash
    if language:
        request.session[LANGUAGE] = language
    request.session.set_expiry(conf.session_age())


@cache
def _contact_sql() -> str:
    contact = Contact._meta.db_table
    login = PortalLogin._meta.db_table
    return (
        f"SELECT c.*, l.generation AS portal_generation FROM {contact} c"
        f" LEFT JOIN {login} l ON l.contact_id = c.id WHERE c.id = %s"
    )


def session_access(*, request: HttpRequest) -> PortalAccess | None:
    """The live portal session, or None (and the session ends) if it no longer holds.

    It no longer holds when the contact is gone (erased) or the password or
    address changed since it was opened (another generation).
    """
    contact_id = request.session.get(CONTACT)
    if contact_id is None:
        return None
    # One query on every portal request: the contact with its login generation
    # (no PortalLogin row is generation 0, as in login_generation). Raw SQL: the
    # ORM's query building cost three times as much as the query itself.
    contact = next(iter(Contact.objects.raw(_contact_sql(), [contact_id])), None)
    generation = (getattr(contact, "portal_generation", None) or 0) if contact is not None else None
    if contact is None or request.session.get(GENERATION) != generation:
        request.session.flush()
        return None
    return PortalAccess(
        contact=contact,
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
