"""Queueing webhooks in the transaction of their cause, and forgetting them.

Posting them is askfirst/hooks/delivery.py; the contract for receivers is
docs/hooks.md.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Exists, F, TextField, Value, When
from django.utils import timezone

from askfirst.consent.models import Action, ConsentEvent, ConsentText
from askfirst.contacts.models import Contact
from askfirst.hooks.models import (
    Delivery,
    DeliveryState,
    Endpoint,
    Event,
    new_secret,
    secret_overlap,
)


def hooks_listening(*, event: str) -> Exists:
    """An EXISTS to fold into a query the cause runs anyway: with no endpoint
    configured, webhooks then cost no query of their own."""
    return Exists(Endpoint.objects.listening(event))


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _render(payload: dict[str, Any]) -> str:
    # Rendered once: the stored text is exactly what is signed and posted.
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _contact(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "email": contact.email,
        "source": contact.source,
        "source_ref": contact.source_ref,
    }


def _queue(*, endpoint_ids: list[int], event: str, bodies: list[str], person: int | None) -> None:
    now = timezone.now()
    Delivery.objects.bulk_create(
        Delivery(
            endpoint_id=endpoint_id,
            event=event,
            person=person,
            body=body,
            next_attempt_at=now,
            created_at=now,
        )
        for endpoint_id in endpoint_ids
        for body in bodies
    )


def deliveries_consent_changed(
    *, contact: Contact, events: Iterable[ConsentEvent], consent: dict[str, bool]
) -> int:
    """Queue one `consent.changed` per ledger event and listening endpoint.

    Call inside the transaction that wrote the events (consent_record), so
    the webhooks commit or roll back with them. `consent` is every purpose's
    state once the whole answer is written.
    """
    endpoint_ids = list(
        Endpoint.objects.listening(Event.CONSENT_CHANGED).values_list("pk", flat=True)
    )
    events = list(events)
    if not endpoint_ids or not events:
        return 0
    text_ids = {e.text_id for e in events if e.text_id}
    texts = {
        pk: {"language": language, "version": version}
        for pk, language, version in ConsentText.objects.filter(pk__in=text_ids).values_list(
            "pk", "language", "version"
        )
    }
    person = _contact(contact)
    bodies = [
        _render(
            {
                "event": Event.CONSENT_CHANGED.value,
                "contact": person,
                "seq": event.seq,
                "purpose": event.purpose.key,
                "granted": event.action == Action.GRANTED,
                "channel": event.channel,
                "occurred_at": _timestamp(event.occurred_at),
                "text": texts.get(event.text_id) if event.text_id else None,
                "consent": consent,
            }
        )
        for event in events
    ]
    _queue(
        endpoint_ids=endpoint_ids,
        event=Event.CONSENT_CHANGED,
        bodies=bodies,
        person=contact.pk,
    )
    return len(endpoint_ids) * len(bodies)


def deliveries_forget(*, contact: Contact) -> None:
    """Part of erasure (ASKFIRST_ERASURE_STEPS): tell listening systems to
    erase the person too, and let earlier deliveries forget who they were about.

    Finished deliveries lose their body now; pending ones still go out (a
    withdrawal must reach the receiver) and lose theirs the moment they are
    finished. The `contact.erased` delivery names the person until it is sent:
    the one trace an erasure leaves, for as long as the receiver takes.
    """
    endpoints = list(Endpoint.objects.values_list("pk", "active", "on_contact_erased"))
    if not endpoints:
        # No endpoint ever: no delivery can exist (endpoints are never deleted).
        return
    Delivery.objects.filter(person=contact.pk).update(
        person=None,
        body=Case(
            When(state=DeliveryState.PENDING, then=F("body")),
            default=Value(""),
            output_field=TextField(),
        ),
    )
    listening = [pk for pk, active, wanted in endpoints if active and wanted]
    if listening:
        body = _render(
            {
                "event": Event.CONTACT_ERASED.value,
                "contact": _contact(contact),
                "erased_at": _timestamp(timezone.now()),
            }
        )
        _queue(endpoint_ids=listening, event=Event.CONTACT_ERASED, bodies=[body], person=None)


def deliveries_deactivate(*, contact: Contact) -> None:
    """Part of every deactivation (ASKFIRST_DEACTIVATION_STEPS).

    A body holds the address, askfirst's id, the source and its id there, and
    the consent answers: no name, company or phone. What a receiver needs to
    act on the deactivation stays: pending deliveries still go out (the
    withdrawal the deactivation just recorded is among them) and failed ones
    keep their body for staff to send again, until the retention. Sent ones
    serve nothing any more and name the source id the deactivation wipes from
    the contact, so they keep only metadata now.
    """
    Delivery.objects.filter(person=contact.pk, state=DeliveryState.SENT).exclude(body="").update(
        body=""
    )


def deliveries_purge(*, now: datetime | None = None) -> int:
    """Finished deliveries older than the retention keep only metadata."""
    now = now or timezone.now()
    cutoff = now - settings.ASKFIRST_HOOK_RETENTION
    return (
        Delivery.objects.filter(
            state__in=[DeliveryState.SENT, DeliveryState.FAILED], finished_at__lt=cutoff
        )
        .exclude(body="")
        .update(body="")
    )


@dataclass
class RetryResult:
    queued: int = 0
    # Failed, but the body is gone (retention, or the person was erased):
    # nothing left to send.
    purged: int = 0
    # Failed, but the endpoint has been deactivated since.
    inactive: int = 0
    # Not failed (pending or sent): left as they are.
    skipped: int = 0


def deliveries_retry(*, ids: Iterable[int]) -> RetryResult:
    """Staff: post failed webhooks again now, from a fresh count of attempts.

    Only a delivery that still has its body can go again: a blank one was
    purged after the retention or belonged to an erased person, and must stay
    forgotten. A deactivated endpoint gets nothing new, resent ones included.
    """
    ids = list(ids)
    result = RetryResult()
    failed = Delivery.objects.filter(pk__in=ids, state=DeliveryState.FAILED)
    # One UPDATE on this table (the endpoint as a subquery, not a join, so
    # Django keeps the conditions on the row itself): PostgreSQL checks state
    # and body again on the locked row, so a purge or an erasure committing
    # meanwhile wins and no blank row is revived.
    active = Endpoint.objects.filter(active=True).values("pk")
    result.queued = (
        failed.exclude(body="")
        .filter(endpoint_id__in=active)
        .update(
            state=DeliveryState.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            last_error="",
            finished_at=None,
        )
    )
    still_failed = Delivery.objects.filter(pk__in=ids, state=DeliveryState.FAILED)
    result.purged = still_failed.filter(body="").count()
    result.inactive = still_failed.exclude(body="").count()
    result.skipped = len(ids) - result.queued - result.purged - result.inactive
    return result


class RotationRefused(Exception):
    """The endpoint is still in the overlap of its last rotation."""


def endpoint_rotate_secret(*, endpoint: Endpoint, now: datetime | None = None) -> Endpoint:
    """Give the endpoint a new signing secret; the old one keeps signing too
    until ASKFIRST_HOOK_SECRET_OVERLAP has passed, so the receiver can switch
    without a webhook failing.

    Refused while a previous rotation's overlap runs: rotating again would drop
    the secret a receiver may still hold before its overlap is over.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Locked: two staff rotating at once must not each keep a different
        # "previous" secret.
        locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        if locked.previous_secret_in_use(at=now):
            raise RotationRefused(locked.previous_secret_until)
        locked.previous_secret = locked.secret
        locked.previous_secret_until = now + secret_overlap()
        locked.secret = new_secret()
        locked.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return locked


def endpoint_end_overlap(*, endpoint: Endpoint) -> bool:
    """Stop signing with the previous secret at once; False if none was in use.

    For a leaked secret: rotating keeps the old one valid through the overlap,
    which is right for a routine change and wrong when someone else holds it.
    """
    with transaction.atomic():
        locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        in_use = locked.previous_secret_in_use(at=timezone.now())
        locked.previous_secret = ""
        locked.previous_secret_until = None
        locked.save(update_fields=["previous_secret", "previous_secret_until"])
    return in_use
