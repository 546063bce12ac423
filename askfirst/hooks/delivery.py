"""Posting queued webhooks.

A worker claims due rows in a short transaction by pushing their
`next_attempt_at` forward (the lease) and commits; then it posts each one
outside any transaction and records the result, guarded by the lease it set.
A worker that dies after the receiver answered and before the result is
recorded leaves the row to be posted again once the lease runs out: at least
once, and receivers dedupe by Askfirst-Delivery (docs/hooks.md).
"""

import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, TextField, Value, When
from django.utils import timezone

from askfirst.contacts.services import scrub_schedule
from askfirst.hooks.models import Delivery, DeliveryState

log = logging.getLogger(__name__)

# Deliveries per claim. Posted one after the other, so the lease covers this
# many timeouts.
BATCH = 20
# Kept of a receiver's answer for staff to read.
ERROR_LENGTH = 500


@dataclass
class SendResult:
    claimed: int = 0
    sent: int = 0
    retry: int = 0
    failed: int = 0
    # Not tried: their receiver was unreachable earlier in the same batch.
    deferred: int = 0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect would repeat the POST elsewhere (or drop its body): it is a
    # failure the operator should see and fix in the endpoint's URL.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def lease(*, limit: int) -> timedelta:
    """Long enough for a batch whose every receiver hangs until the timeout."""
    return timedelta(seconds=limit * settings.ASKFIRST_HOOK_TIMEOUT) + timedelta(minutes=1)


def deliveries_claim(*, limit: int, now: datetime) -> tuple[datetime, list[int]]:
    """Take due rows for this worker; return the lease end (its claim mark) and ids."""
    until = now + lease(limit=limit)
    with transaction.atomic():
        due = Delivery.objects.filter(
            state=DeliveryState.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            # Several workers take disjoint batches without waiting on each other.
            due = due.select_for_update(skip_locked=True)
        # SQLite: IMMEDIATE transactions run one at a time, so a plain read is safe.
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            Delivery.objects.filter(pk__in=ids).update(next_attempt_at=until)
    return until, ids


def _post(delivery: Delivery) -> str:
    """POST one delivery; return "" on a 2xx answer, else what went wrong."""
    body = delivery.body
    signature = delivery.endpoint.signature(body=body, timestamp=int(time.time()))
    url = delivery.endpoint.url
    if not url.startswith(("https://", "http://")):
        # The form allows no other scheme; a row written around it must not
        # make urllib open a file.
        return f"not an http(s) URL: {url[:100]}"
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=body.encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "askfirst-webhooks",
            "Askfirst-Event": delivery.event,
            "Askfirst-Delivery": str(delivery.pk),
            "Askfirst-Signature": signature,
        },
    )
    try:
        with _opener.open(request, timeout=settings.ASKFIRST_HOOK_TIMEOUT) as response:
            response.read(ERROR_LENGTH)
            status = response.status
    except urllib.error.HTTPError as exc:
        detail = exc.read(ERROR_LENGTH).decode("utf-8", "replace").strip()
        return f"HTTP {exc.code} {detail}"[:ERROR_LENGTH]
    except (OSError, ValueError) as exc:
        # Refused, reset, timed out, unresolvable: all temporary as far as we know.
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        return f"{type(exc).__name__}: {reason}"[:ERROR_LENGTH]
    return "" if 200 <= status < 300 else f"HTTP {status}"


# A delivery about nobody (the person was erased, or a contact.erased) keeps no
# body once it is finished.
_BODY_AFTER = Case(
    When(person__isnull=True, then=Value("")), default=F("body"), output_field=TextField()
)


def _record(delivery: Delivery, error: str, until: datetime) -> str:
    now = timezone.now()
    attempts = delivery.attempts + 1
    # Only while the lease is ours: a worker slower than its lease must not
    # overwrite what the next one recorded.
    mine = Delivery.objects.filter(
        pk=delivery.pk, state=DeliveryState.PENDING, next_attempt_at=until
    )
    if delivery.person is None and (not error or attempts >= settings.ASKFIRST_HOOK_MAX_ATTEMPTS):
        # The body about an erased person is blanked now: its old bytes must
        # leave the database files too, as the erasure's own did.
        scrub_schedule()
    if not error:
        mine.update(
            state=DeliveryState.SENT,
            attempts=attempts,
            sent_at=now,
            finished_at=now,
            last_error="",
            body=_BODY_AFTER,
        )
        return DeliveryState.SENT
    if attempts >= settings.ASKFIRST_HOOK_MAX_ATTEMPTS:
        mine.update(
            state=DeliveryState.FAILED,
            attempts=attempts,
            finished_at=now,
            last_error=error,
            body=_BODY_AFTER,
        )
        return DeliveryState.FAILED
    mine.update(
        attempts=attempts,
        next_attempt_at=now + Delivery.backoff(attempts=attempts),
        last_error=error,
    )
    return DeliveryState.PENDING


def _defer(delivery: Delivery, until: datetime) -> None:
    """Give the row back, due after the base wait, without counting an attempt."""
    Delivery.objects.filter(
        pk=delivery.pk, state=DeliveryState.PENDING, next_attempt_at=until
    ).update(next_attempt_at=timezone.now() + settings.ASKFIRST_HOOK_RETRY_BASE)


def deliveries_send(*, limit: int = BATCH, now: datetime | None = None) -> SendResult:
    """Post one batch of due webhooks, each outside any transaction."""
    result = SendResult()
    until, ids = deliveries_claim(limit=limit, now=now or timezone.now())
    result.claimed = len(ids)
    if not ids:
        return result
    rows = (
        Delivery.objects.filter(pk__in=ids, next_attempt_at=until)
        .select_related("endpoint")
        .order_by("id")
    )
    unreachable: set[int] = set()
    for row in rows:
        if row.endpoint_id in unreachable:
            _defer(row, until)
            result.deferred += 1
            continue
        error = _post(row)
        if error:
            log.warning("webhook %s to %s: %s", row.pk, row.endpoint.name, error)
            if not error.startswith("HTTP "):
                # Refused or timed out: the rest of this batch for the same
                # receiver would wait out the timeout too, one after another,
                # holding up the worker's mails (and a SIGTERM) for minutes.
                unreachable.add(row.endpoint_id)
        state = _record(row, error, until)
        result.sent += state == DeliveryState.SENT
        result.failed += state == DeliveryState.FAILED
        result.retry += state == DeliveryState.PENDING
    return result
