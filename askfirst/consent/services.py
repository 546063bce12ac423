"""Recording consent: the ledger, the current state, and deactivation."""

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
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
from askfirst.hooks.models import Event
from askfirst.hooks.services import deliveries_consent_changed, hooks_listening

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


def _purposes_sql() -> str:
    """Every purpose with this contact's answer and the newest text in a language
    (what consent_states and consent_text_current give), in one query."""
    purpose = Purpose._meta.db_table
    state = ConsentState._meta.db_table
    text = ConsentText._meta.db_table
    return (
        f"SELECT p.id, p.key, p.requires_id, p.position, p.name_de, p.name_en,"
        f" p.description_de, p.description_en, s.granted, t.id, t.body_hash, t.shown_in_mail"
        f" FROM {purpose} p"
        f" LEFT JOIN {state} s ON s.purpose_id = p.id AND s.contact_id = %s"
        f" LEFT JOIN {text} t ON t.id = (SELECT t2.id FROM {text} t2"
        f" WHERE t2.purpose_id = p.id AND t2.language = %s ORDER BY t2.version DESC LIMIT 1)"
        f" ORDER BY p.position, p.id"
    )


_PURPOSE_FIELDS = [
    "id",
    "key",
    "requires_id",
    "position",
    "name_de",
    "name_en",
    "description_de",
    "description_en",
]


@dataclass(frozen=True)
class _Text:
    pk: int
    body_hash: str
    shown: bool


def _purposes_states_texts(
    *, contact_id: int, language: str
) -> tuple[dict[str, Purpose], dict[str, bool], dict[int, _Text]]:
    """Purposes by key, this contact's answers (as consent_states) and, if a
    language is given, the current text per purpose id."""
    with connection.cursor() as cursor:
        cursor.execute(_purposes_sql(), [contact_id, language[:2] if language else None])
        rows = cursor.fetchall()
    db = connection.alias
    purposes: dict[str, Purpose] = {}
    states: dict[str, bool] = {}
    texts: dict[int, _Text] = {}
    for row in rows:
        purpose = Purpose.from_db(db, _PURPOSE_FIELDS, row[:8])
        purposes[purpose.key] = purpose
        granted, text_id, body_hash, shown = row[8:]
        if granted is not None:
            states[purpose.key] = bool(granted)
        if text_id is not None:
            texts[purpose.pk] = _Text(text_id, body_hash, bool(shown))
    return purposes, states, texts


def _storage_deadline(*, granted: bool, was_withdrawn: bool, status: str, now) -> dict:
    """What a storage event does to the contact's deactivation deadline.

    A yes clears it. A no sets it for a contact that answered (a restricted one
    is kept on another legal basis; a deactivated one is done), unless storage
    was withdrawn already: a staff "no" recorded again does not move it.
    """
    if granted:
        return {"deactivate_at": None}
    if status != Status.ANSWERED:
        return {"deactivate_at": None}
    if was_withdrawn:
        return {}
    return {"deactivate_at": now + settings.ASKFIRST_WITHDRAWN_GRACE}


def consent_record(
    *, contact: Contact, purpose_key: str, granted: bool, proof: Proof
) -> list[ConsentEvent]:
    """Record one decision; return the events written (none if nothing changed).

    The contact row is locked first: it holds the head of this person's hash
    chain, so two answers at once are chained one after the other.
    Withdrawing a purpose others depend on withdraws those too.

    The portal's busiest write, so kept to a few queries: the lock (only the
    columns needed), purposes + answers + current texts in one, one INSERT of
    the events, one write per state row and one UPDATE of the contact.
    """
    if proof.channel == Channel.STAFF and not proof.evidence.strip():
        raise ConsentError(_("A note on how the consent was given is required."))
    if proof.channel == Channel.STAFF and proof.staff_user is None:
        raise ConsentError("A consent recorded by staff needs the staff user.")

    with transaction.atomic():
        # The row lock on the contact (FOR UPDATE on PostgreSQL; SQLite's
        # writer lock is taken at BEGIN IMMEDIATE) orders concurrent answers.
        # The lock also says whether a connected system listens, so webhooks
        # cost no query of their own while none is configured.
        status, next_action_at, ledger_length, ledger_head, hooked = (
            Contact.objects.select_for_update(of=("self",))
            .filter(pk=contact.pk)
            .annotate(hooked=hooks_listening(event=Event.CONSENT_CHANGED))
            .values_list("status", "next_action_at", "ledger_length", "ledger_head", "hooked")
            .get()
        )
        purposes, states, texts = _purposes_states_texts(
            contact_id=contact.pk, language=proof.language
        )
        purpose = purposes.get(purpose_key)
        if purpose is None:
            raise ConsentError(_("Unknown purpose: %(key)s") % {"key": purpose_key})
        if status == Status.DEACTIVATED and granted:
            raise ConsentError(_("This contact is deactivated and must not be contacted."))
        by_pk = {p.pk: p for p in purposes.values()}
        targets: list[tuple[Purpose, str]] = []
        if granted:
            if purpose.requires_id is not None:
                base = by_pk[purpose.requires_id]
                if not states.get(base.key):
                    raise ConsentError(
                        _("%(purpose)s needs consent to %(base)s first.")
                        % {"purpose": purpose.name_en, "base": base.name_en}
                    )
            if states.get(purpose.key) is not True or proof.channel == Channel.STAFF:
                targets.append((purpose, Action.GRANTED))
        else:
            for target in purposes.values():
                if target.requires_id == purpose.pk and states.get(target.key) is True:
                    targets.append((target, Action.WITHDRAWN))
            # An explicit "no" is recorded even when we never had a "yes".
            if states.get(purpose.key) is not False or proof.channel == Channel.STAFF:
                targets.append((purpose, Action.WITHDRAWN))
        if not targets:
            return []

        now = timezone.now()
        ip_prefix = truncate_ip(proof.ip_address) if settings.ASKFIRST_LEDGER_STORE_IP else ""
        language = proof.language[:2]
        events: list[ConsentEvent] = []
        for target, action in targets:
            text = texts.get(target.pk) if proof.language else None
            event = ConsentEvent(
                contact=contact,
                seq=ledger_length + 1,
                purpose=target,
                action=action,
                occurred_at=now,
                channel=proof.channel,
                language=language,
                text_id=text.pk if text else None,
                text_hash=text.body_hash if text else "",
                token_hash=proof.token_hash,
                staff_user=proof.staff_user,  # type: ignore[misc]
                evidence=proof.evidence,
                ip_prefix=ip_prefix,
                prev_hash=ledger_head or GENESIS,
            )
            event.hash = event.compute_hash()
            events.append(event)
            ledger_length, ledger_head = event.seq, event.hash
        ConsentEvent.objects.bulk_create(events)

        unshown = {
            texts[e.purpose_id].pk for e in events if e.text_id and not texts[e.purpose_id].shown
        }
        if unshown:
            ConsentText.objects.filter(pk__in=unshown, shown_in_mail=False).update(
                shown_in_mail=True
            )
        changes: dict = {"ledger_length": ledger_length, "ledger_head": ledger_head}
        if (
            # The request asks one thing: may we keep the data (storage). A "no"
            # to the newsletter alone answers nothing about that; ending the
            # request on it would leave the data held without consent, never
            # to expire, so the reminders go on.
            status in {Status.QUEUED, Status.ASKING} and purpose.key == PurposeKey.STORAGE
        ) or (
            # Kept under another legal basis after the request expired, the
            # person now consents (a link still valid, the portal, staff):
            # consent is the basis again, and there is nothing left to review.
            status == Status.RESTRICTED and granted and purpose.key == PurposeKey.STORAGE
        ):
            # The answer ends the consent request, in this same transaction:
            # the worker never sees this contact due again.
            status, next_action_at = Status.ANSWERED.value, None
            changes |= {"status": status, "next_action_at": next_action_at}
        new_states = []
        for event in events:
            state = {"granted": event.action == Action.GRANTED, "event": event, "updated_at": now}
            if event.purpose.key == PurposeKey.STORAGE:
                state |= _storage_deadline(
                    granted=event.action == Action.GRANTED,
                    was_withdrawn=states.get(PurposeKey.STORAGE) is False,
                    status=status,
                    now=now,
                )
            # The answers were read under the lock, so a row known to exist is
            # still there, and one known to be missing cannot appear meanwhile.
            if event.purpose.key in states and ConsentState.objects.filter(
                contact_id=contact.pk, purpose_id=event.purpose_id
            ).update(**state):
                continue
            new_states.append(
                ConsentState(contact_id=contact.pk, purpose_id=event.purpose_id, **state)
            )
        if new_states:
            ConsentState.objects.bulk_create(new_states)
        if hooked:
            # Queued with the events: they commit or roll back together (docs/hooks.md).
            consent = {key: states.get(key, False) for key in purposes}
            consent |= {e.purpose.key: e.action == Action.GRANTED for e in events}
            deliveries_consent_changed(contact=contact, events=events, consent=consent)

        Contact.objects.filter(pk=contact.pk).update(updated_at=now, **changes)
    # The caller's instance shows the contact as written (no reload needed).
    contact.status = status
    contact.next_action_at = next_action_at
    contact.ledger_length = ledger_length
    contact.ledger_head = ledger_head
    contact.updated_at = now
    return events


def contact_deactivate(*, contact: Contact, proof: Proof) -> Contact:
    """Keep only the address, marked never to be contacted again.

    Every consent is withdrawn (and that is recorded); every other personal
    field, interest, extranet choice and language suggestion is wiped. Apps
    that hold more about the person (the portal: a password, sessions, a new
    address waiting for confirmation; mail bodies; rejected import rows;
    sent webhook bodies) clean it up in their ASKFIRST_DEACTIVATION_STEPS, on
    every path: portal, mail link, staff, API, the worker after a withdrawal.
    """
    from django.utils.module_loading import import_string

    with transaction.atomic():
        locked = Contact.objects.select_for_update().get(pk=contact.pk)
        if locked.status == Status.DEACTIVATED:
            return locked
        # consent_record brings `locked` up to date (ledger head, status).
        consent_record(contact=locked, purpose_key=PurposeKey.STORAGE, granted=False, proof=proof)
        # Nothing left for the worker to deactivate (docs/lifecycle.md).
        ConsentState.objects.filter(contact=locked, deactivate_at__isnull=False).update(
            deactivate_at=None
        )
        # Dotted paths resolved now, as for erasure: this app cannot import the
        # apps that depend on it, and a signal would hide the rule. Run before
        # the wipe: a step may need the names to find the person's rows (a
        # rejected import row holds no contact id).
        for step in settings.ASKFIRST_DEACTIVATION_STEPS:
            import_string(step)(contact=locked)
        for name in PERSONAL_FIELDS:
            setattr(locked, name, "")
        locked.source_ref = ""
        locked.source_language = ""
        # The reason can name where the person lives ("country 'Österreich'").
        locked.suggested_language = ""
        locked.suggestion_reason = ""
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
