"""Personal mail links: find a token, and act on it (POST only)."""

import secrets

from django.db import transaction
from django.utils import timezone

from askfirst.consent.models import ConsentText, Purpose, PurposeKey
from askfirst.consent.services import (
    ConsentError,
    Proof,
    consent_record,
    consent_text_current,
    contact_deactivate,
)
from askfirst.contacts.models import Contact, Status
from askfirst.lifecycle.models import LinkToken, TokenPurpose
from askfirst.lifecycle.services import link_url, token_expiry, token_hash


class LinkUnknown(LookupError):
    pass


class LinkExpired(LookupError):
    pass


class TextChanged(Exception):
    """The consent text the yes page showed is no longer the current one."""


class TextUnknown(ValueError):
    """The answer names no version of the text a yes page shows (a broken or forged form)."""


def link_text_current(*, language: str) -> ConsentText | None:
    """The consent text a yes page shows: storage's current one in `language`."""
    purpose = Purpose.objects.filter(key=PurposeKey.STORAGE).first()
    return consent_text_current(purpose=purpose, language=language) if purpose else None


def _text_check(*, text_id: int | None, language: str) -> None:
    """Raise unless `text_id` (None: the page showed none) is the text a yes page shows now."""
    current = link_text_current(language=language)
    if text_id == (current.pk if current else None):
        return
    if (
        text_id is not None
        and not ConsentText.objects.filter(
            pk=text_id, purpose__key=PurposeKey.STORAGE, language=language[:2]
        ).exists()
    ):
        raise TextUnknown
    # An older version of the same text, or none shown and one published since.
    raise TextChanged


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


def link_act(
    *,
    link: LinkToken,
    action: str,
    language: str,
    ip_address: str | None = None,
    text_id: int | None = None,
) -> str:
    """Do `action` (a TokenPurpose the link offers); returns the outcome shown on the page.

    Outcomes: "granted", "deactivated", "already-deactivated", "portal".
    Raises LinkUnknown when the person was erased since the link was found
    (expiry or deletion committed in between): the link is gone by then.

    A yes names the consent text its page showed (`text_id`, None if it showed
    none): the ledger event must name that very version. TextChanged when a
    newer one is current (also one published while this answer is recorded:
    the event is rolled back), TextUnknown when `text_id` is no version of it.
    Nothing is recorded then.
    """
    proof = Proof(
        channel="mail_link",
        language=language,
        token_hash=link.token_hash,
        evidence=link_evidence(link=link),
        ip_address=ip_address,
    )
    try:
        return _link_act(link=link, action=action, proof=proof, text_id=text_id)
    except Contact.DoesNotExist:
        # The answer and the erasure raced, and the erasure won; the token
        # went with the contact, so this is what the same request a moment
        # later would get.
        raise LinkUnknown from None


def _link_act(*, link: LinkToken, action: str, proof: Proof, text_id: int | None) -> str:
    if link.action(action) != action:
        raise ValueError(f"a {link.purpose} link does not offer {action}")
    with transaction.atomic():
        if action == TokenPurpose.YES:
            if link.contact.status == Status.DEACTIVATED:
                return "already-deactivated"
            _text_check(text_id=text_id, language=proof.language)
            try:
                events = consent_record(
                    contact=link.contact, purpose_key=PurposeKey.STORAGE, granted=True, proof=proof
                )
            except ConsentError:
                # Deactivated elsewhere after the link was read: consent_record
                # saw it under the row lock. The same answer as a moment later.
                if Contact.objects.filter(pk=link.contact_id, status=Status.DEACTIVATED).exists():
                    return "already-deactivated"
                raise
            if events and events[0].text_id != text_id:
                # consent_record read the current text under the contact's lock,
                # after the check above: a version published in between would be
                # named as shown. Raising here rolls the whole answer back.
                raise TextChanged
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
