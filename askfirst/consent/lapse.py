"""Deactivating contacts who withdrew storage consent and then chose nothing.

Withdrawing storage (the base purpose) in the portal leads to "deactivate or
delete?", but the person may close the tab; staff and the API record a "no"
without asking further. Without storage consent the data must not stay, so
consent_record gives the storage state row a deadline (ASKFIRST_WITHDRAWN_GRACE)
and the worker deactivates the contact once it has passed (docs/lifecycle.md).
"""

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from askfirst.consent.models import Channel, ConsentState, PurposeKey
from askfirst.consent.services import Proof, contact_deactivate
from askfirst.contacts.models import Contact, Status

# Contacts per transaction: each deactivation is a dozen statements or so
# (steps included), so a batch stays well under a second.
BATCH = 100


def _claim(*, now: datetime, limit: int) -> list[int]:
    """Ids of contacts whose deadline has passed, locked (PostgreSQL: rows
    another transaction holds are skipped; SQLite: the IMMEDIATE transaction
    is the only writer)."""
    due = (
        Contact.objects.filter(consent_states__deactivate_at__lte=now)
        .order_by("consent_states__deactivate_at")
        .values_list("pk", flat=True)
    )
    if connection.features.has_select_for_update_skip_locked:
        # The contact row, as every answer locks it first (consent_record):
        # locking the state row first could deadlock with a yes in flight.
        due = due.select_for_update(skip_locked=True, of=("self",))
    return list(due[:limit])


def withdrawn_deactivate(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Deactivate one batch of contacts whose grace after withdrawing storage
    consent has passed; return how many were claimed.

    Re-checked under the lock: storage still withdrawn and the contact still
    answered (a yes, a deactivation or an erasure committed meanwhile wins).
    """
    now = now or timezone.now()
    with transaction.atomic():
        ids = _claim(now=now, limit=limit)
        if not ids:
            return 0
        # A fresh statement under the lock sees what committed meanwhile.
        still = dict(
            ConsentState.objects.filter(
                contact_id__in=ids,
                purpose__key=PurposeKey.STORAGE,
                granted=False,
                deactivate_at__lte=now,
                contact__status=Status.ANSWERED,
            ).values_list("contact_id", "event__occurred_at")
        )
        stale = [pk for pk in ids if pk not in still]
        if stale:
            # A deadline that no longer applies must not be claimed every pass.
            ConsentState.objects.filter(contact_id__in=stale, deactivate_at__isnull=False).update(
                deactivate_at=None
            )
        for pk in ids:
            if pk not in still:
                continue
            withdrawn_on = timezone.localdate(still[pk]).isoformat()
            contact_deactivate(
                contact=Contact(pk=pk),
                # Storage is withdrawn already, so no ledger event is written
                # (only a change is, for a channel other than staff); the
                # channel of the controller acting on its own records.
                proof=Proof(
                    channel=Channel.API,
                    evidence=(
                        f"storage consent withdrawn on {withdrawn_on}; "
                        "no choice within the grace period"
                    ),
                ),
            )
    return len(ids)
