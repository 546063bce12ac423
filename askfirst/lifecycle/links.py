"""Personal mail links: find a token, and act on it (POST only)."""

import secrets

from django.db import transaction
from django.utils import timezone

from askfirst.consent.models import PurposeKey
from askfirst.consent.services import ConsentError, Proof, consent_record, contact_deactivate
from askfirst.contacts.models import Contact, Status
from askfirst.lifecycle.models import LinkToken, TokenPurpose
from askfirst.lifecycle.services import link_url, token_expiry, token_hash


class LinkUnknown(LookupError):
    pass


class LinkExpired(LookupError):
    pass


def link_find(*, token: str) -> LinkToken:
    """The live token row, or LinkUnknown / LinkExpired (never which contact)."""
    if not token or len(token) > 100:
        raise LinkUnknown
    link = LinkToken.objects.select_related("contact").filter(token_hash=token_hash(token)).first()
    if link is None:
        raise LinkUnknown
    if link.expires_at <= timezone.now():
        raise LinkExpired
    return link


def link_evidence(*, link: LinkToken) -> str:
    """The mail a link came in and its text versions, for the ledger event."""
    if not link.mail:
        return ""
    return f"mail {link.mail}, text {link.text_version}"


def link_act(*, link: LinkToken, action: str, language: str, ip_address: str | None = None) -> str:
    """Do `action` (a TokenPurpose the link offers); returns the outcome shown on the page.

    Outcomes: "granted", "deactivated", "already-deactivated", "portal".
    Raises LinkUnknown when the person was erased since the link was found
    (expiry or deletion committed in between): the link is gone by then.
    """
    proof = Proof(
        channel="mail_link",
        language=language,
        token_hash=link.token_hash,
        evidence=link_evidence(link=link),
        ip_address=ip_address,
    )
    try:
        return _link_act(link=link, action=action, proof=proof)
    except Contact.DoesNotExist:
        # The answer and the erasure raced, and the erasure won; the token
        # went with the contact, so this is what the same request a moment
        # later would get.
        raise LinkUnknown from None


def _link_act(*, link: LinkToken, action: str, proof: Proof) -> str:
    if link.action(action) != action:
        raise ValueError(f"a {link.purpose} link does not offer {action}")
    with transaction.atomic():
        if action == TokenPurpose.YES:
            if link.contact.status == Status.DEACTIVATED:
                return "already-deactivated"
            try:
                consent_record(
                    contact=link.contact, purpose_key=PurposeKey.STORAGE, granted=True, proof=proof
                )
            except ConsentError:
                # Deactivated elsewhere after the link was read: consent_record
                # saw it under the row lock. The same answer as a moment later.
                if Contact.objects.filter(pk=link.contact_id, status=Status.DEACTIVATED).exists():
                    return "already-deactivated"
                raise
            outcome = "granted"
        elif action == TokenPurpose.DEACTIVATE:
            contact_deactivate(contact=link.contact, proof=proof)
            outcome = "deactivated"
        else:
            return "portal"
        LinkToken.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now())
    return outcome


def portal_link_new(*, link: LinkToken) -> str:
    """A fresh portal link for the confirmation page (the mail's own is only hashed)."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    LinkToken.objects.create(
        token_hash=token_hash(token),
        purpose=TokenPurpose.PORTAL,
        contact=link.contact,
        language=link.language,
        created_at=now,
        expires_at=token_expiry(start=now),
    )
    return link_url(token)
