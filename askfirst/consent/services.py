"""Recording consent: the ledger, the current state, and deactivation."""

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from askfirst.consent.models import (
    Action,
    Channel,
    ConsentEvent,
    ConsentState,
    ConsentText,
    Purpose,
    PurposeKey,
)
from askfirst.contacts.models import PERSONAL_FIELDS, Contact, Status
from askfirst.contacts.services import scrub_schedule

GENESIS = "0" * 64


class ConsentError(ValueError):
    pass


def truncate_ip(address: str | None) -> str:
    """IPv4 to its /24, IPv6 to its /48: enough to tell networks apart, not people."""
    if not address:
        return ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def consent_text_current(*, purpose: Purpose, language: str) -> ConsentText | None:
    return (
        ConsentText.objects.filter(purpose=purpose, language=language[:2])
        .order_by("-version")
        .first()
    )


def consent_text_add(*, purpose: Purpose, language: str, body: str) -> ConsentText:
    """A new wording is always a new version; shown versions stay as they were."""
    with transaction.atomic():
        latest = (
            ConsentText.objects.select_for_update()
            .filter(purpose=purpose, language=language)
            .order_by("-version")
            .first()
        )
        return ConsentText.objects.create(
            purpose=purpose,
            language=language,
            body=body,
            version=(latest.version + 1) if latest else 1,
        )


def consent_states(*, contact: Contact) -> dict[str, bool]:
    """Purpose key → granted, for every purpose this contact ever answered."""
    return dict(ConsentState.objects.filter(contact=contact).values_list("purpose__key", "granted"))


@dataclass(frozen=True)
class Proof:
    """How an answer reached us: the parts of a ledger event beyond the decision."""

    channel: str
    language: str = ""
    token_hash: str = ""
    staff_user: object = None
    evidence: str = ""
    ip_address: str | None = None


def _append(*, contact: Contact, purpose: Purpose, action: str, proof: Proof, now) -> ConsentEvent:
    text = (
        consent_text_current(purpose=purpose, language=proof.language) if proof.language else None
    )
    event = ConsentEvent(
        contact=contact,
        seq=contact.ledger_length + 1,
        purpose=purpose,
        action=action,
        occurred_at=now,
        channel=proof.channel,
        language=proof.language[:2],
        text=text,
        text_hash=text.body_hash if text else "",
        token_hash=proof.token_hash,
        staff_user=proof.staff_user,  # type: ignore[misc]
        evidence=proof.evidence,
        ip_prefix=truncate_ip(proof.ip_address) if settings.ASKFIRST_LEDGER_STORE_IP else "",
        prev_hash=contact.ledger_head or GENESIS,
    )
    event.hash = event.compute_hash()
    event.save()
    if text is not None and not text.shown_in_mail:
        ConsentText.objects.filter(pk=text.pk).update(shown_in_mail=True)
    ConsentState.objects.update_or_create(
        contact=contact,
        purpose=purpose,
        defaults={"granted": action == Action.GRANTED, "event": event, "updated_at": now},
    )
    contact.ledger_length = event.seq
    contact.ledger_head = event.hash
    return event


def consent_record(
    *, contact: Contact, purpose_key: str, granted: bool, proof: Proof
) -> list[ConsentEvent]:
    """Record one decision; return the events written (none if nothing changed).

    The contact row is locked first: it holds the head of this person's hash
    chain, so two answers at once are chained one after the other.
    Withdrawing a purpose others depend on withdraws those too.
    """
    if proof.channel == Channel.STAFF and not proof.evidence.strip():
        raise ConsentError(_("A note on how the consent was given is required."))
    if proof.channel == Channel.STAFF and proof.staff_user is None:
        raise ConsentError("A consent recorded by staff needs the staff user.")
    purposes = {p.key: p for p in Purpose.objects.all()}
    purpose = purposes.get(purpose_key)
    if purpose is None:
        raise ConsentError(_("Unknown purpose: %(key)s") % {"key": purpose_key})

    with transaction.atomic():
        locked = Contact.objects.select_for_update().get(pk=contact.pk)
        if locked.status == Status.DEACTIVATED and granted:
            raise ConsentError(_("This contact is deactivated and must not be contacted."))
        states = consent_states(contact=locked)
        now = timezone.now()
        events: list[ConsentEvent] = []
        if granted:
            if purpose.requires_id and not states.get(purpose.requires.key):  # type: ignore[union-attr]
                raise ConsentError(
                    _("%(purpose)s needs consent to %(base)s first.")
                    % {"purpose": purpose.name_en, "base": purpose.requires.name_en}  # type: ignore[union-attr]
                )
            if states.get(purpose.key) is not True or proof.channel == Channel.STAFF:
                events.append(
                    _append(
                        contact=locked, purpose=purpose, action=Action.GRANTED, proof=proof, now=now
                    )
                )
        else:
            dependants = [p for p in purposes.values() if p.requires_id == purpose.pk]
            for target in dependants:
                if states.get(target.key) is True:
                    events.append(
                        _append(
                            contact=locked,
                            purpose=target,
                            action=Action.WITHDRAWN,
                            proof=proof,
                            now=now,
                        )
                    )
            # An explicit "no" is recorded even when we never had a "yes".
            if states.get(purpose.key) is not False or proof.channel == Channel.STAFF:
                events.append(
                    _append(
                        contact=locked,
                        purpose=purpose,
                        action=Action.WITHDRAWN,
                        proof=proof,
                        now=now,
                    )
                )
        if not events:
            return []
        update = ["ledger_length", "ledger_head", "updated_at"]
        if locked.status in {Status.QUEUED, Status.ASKING}:
            # Any answer ends the consent request, in this same transaction:
            # the worker never sees this contact due again.
            locked.status = Status.ANSWERED
            locked.next_action_at = None
            update += ["status", "next_action_at"]
        locked.save(update_fields=update)
    contact.refresh_from_db()
    return events


def contact_deactivate(*, contact: Contact, proof: Proof) -> Contact:
    """Keep only the address, marked never to be contacted again.

    Every consent is withdrawn (and that is recorded); every other personal
    field, interest and extranet choice is wiped.
    """
    with transaction.atomic():
        locked = Contact.objects.select_for_update().get(pk=contact.pk)
        if locked.status == Status.DEACTIVATED:
            return locked
        consent_record(contact=locked, purpose_key=PurposeKey.STORAGE, granted=False, proof=proof)
        locked.refresh_from_db()
        for name in PERSONAL_FIELDS:
            setattr(locked, name, "")
        locked.source_ref = ""
        locked.source_language = ""
        locked.extranet_fields = []
        locked.status = Status.DEACTIVATED
        locked.next_action_at = None
        locked.save()
        locked.topics.clear()
        # The wiped values stay in the database files until a scrub.
        scrub_schedule()
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Contact), object_id=str(locked.pk)
        ).delete()
    return locked
