"""Delivering the outbox over SMTP.

A worker claims due rows (state `sending`, with its id and the time) and
commits; then it talks SMTP over one connection, outside any transaction, and
marks what the server accepted. If the process dies between the server's
"250 OK" and that mark, the row is taken up again after
ASKFIRST_MAIL_SENDING_TIMEOUT: that is the bounded duplicate (docs/mail.md).
"""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from askfirst.contacts.models import Contact, Status
from askfirst.mail.models import DUE_STATES, Bounce, MailName, Outbox, OutboxState
from askfirst.mail.render import ascii_address

log = logging.getLogger(__name__)

# Rows marked sent per commit while a batch is being sent: a crash loses at
# most this many "sent" marks (and so re-sends at most this many mails).
MARK_EVERY = 50
# Request and reminders make sense only while the person has not answered.
ASKING_MAILS = {MailName.REQUEST, MailName.REMINDER}


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    user: str = ""
    password: str = ""
    starttls: bool = False
    timeout: int = 30

    @classmethod
    def from_settings(cls) -> "SmtpTarget":
        return cls(
            host=settings.ASKFIRST_SMTP_HOST,
            port=settings.ASKFIRST_SMTP_PORT,
            user=settings.ASKFIRST_SMTP_USER,
            password=settings.ASKFIRST_SMTP_PASSWORD,
            starttls=settings.ASKFIRST_SMTP_STARTTLS,
            timeout=settings.ASKFIRST_SMTP_TIMEOUT,
        )

    def connect(self) -> smtplib.SMTP:
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.starttls:
            client.starttls()
        if self.user:
            client.login(self.user, self.password)
        return client


@dataclass
class DeliveryResult:
    claimed: int = 0
    sent: int = 0
    retry: int = 0
    failed: int = 0
    suppressed: int = 0
    errors: list[str] = field(default_factory=list)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def envelope_sender() -> str:
    return settings.ASKFIRST_MAIL_ENVELOPE_FROM or parseaddr(settings.ASKFIRST_MAIL_FROM)[1]


def backoff(*, attempts: int) -> timedelta:
    """1×, 2×, 4×… the base wait, at most a day."""
    wait = settings.ASKFIRST_MAIL_RETRY_BASE * (2 ** max(attempts - 1, 0))
    return min(wait, timedelta(days=1))


def outbox_reclaim(*, now: datetime) -> int:
    """Rows left in `sending` by a worker that died go back to the queue."""
    cutoff = now - settings.ASKFIRST_MAIL_SENDING_TIMEOUT
    return Outbox.objects.filter(state=OutboxState.SENDING, claimed_at__lt=cutoff).update(
        state=OutboxState.RETRY, next_attempt_at=now, claimed_by=""
    )


def outbox_claim(*, worker_id: str, limit: int, now: datetime) -> list[int]:
    with transaction.atomic():
        due = Outbox.objects.filter(state__in=DUE_STATES, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "id"
        )
        if connection.features.has_select_for_update_skip_locked:
            # Several workers take disjoint batches without waiting on each other.
            due = due.select_for_update(skip_locked=True)
        # SQLite: IMMEDIATE transactions run one at a time, so a plain read is safe.
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            Outbox.objects.filter(pk__in=ids).update(
                state=OutboxState.SENDING, claimed_at=now, claimed_by=worker_id
            )
    return ids


def _suppression(rows: list[Any]) -> dict[int, str]:
    """Outbox id → why it must not go out, checked right before sending."""
    contact_ids = {row["contact_id"] for row in rows if row["contact_id"]}
    statuses = dict(Contact.objects.filter(pk__in=contact_ids).values_list("pk", "status"))
    keys = {row["recipient"].lower() for row in rows}
    bouncing = set(Bounce.objects.filter(email_key__in=keys).values_list("email_key", flat=True))
    reasons = {}
    for row in rows:
        status = statuses.get(row["contact_id"]) if row["contact_id"] else None
        if row["contact_id"] and status is None:
            reasons[row["id"]] = "contact erased"
        elif status == Status.DEACTIVATED:
            reasons[row["id"]] = "contact deactivated"
        elif row["name"] in ASKING_MAILS and status != Status.ASKING:
            reasons[row["id"]] = f"contact no longer asked ({status})"
        elif row["recipient"].lower() in bouncing:
            reasons[row["id"]] = "address bounces"
        elif not row["recipient"] or not row["message"]:
            reasons[row["id"]] = "nothing to send"
    return reasons


def _mark_sent(ids: list[int], deletion_ids: set[int], now: datetime) -> None:
    if not ids:
        return
    Outbox.objects.filter(pk__in=ids).update(
        state=OutboxState.SENT,
        sent_at=now,
        finished_at=now,
        attempts=F("attempts") + 1,
        last_error="",
    )
    gone = [pk for pk in ids if pk in deletion_ids]
    if gone:
        # The person was erased: the confirmation keeps no address or text once sent.
        Outbox.objects.filter(pk__in=gone).update(recipient="", message="")


def _mark_retry(row: Any, error: str, now: datetime) -> str:
    attempts = row["attempts"] + 1
    if attempts >= settings.ASKFIRST_MAIL_MAX_ATTEMPTS:
        Outbox.objects.filter(pk=row["id"]).update(
            state=OutboxState.FAILED, attempts=attempts, finished_at=now, last_error=error
        )
        return OutboxState.FAILED
    Outbox.objects.filter(pk=row["id"]).update(
        state=OutboxState.RETRY,
        attempts=attempts,
        next_attempt_at=now + backoff(attempts=attempts),
        claimed_by="",
        last_error=error,
    )
    return OutboxState.RETRY


def _mark_bounced(row: Any, code: int, error: str, now: datetime) -> None:
    Outbox.objects.filter(pk=row["id"]).update(
        state=OutboxState.FAILED,
        attempts=row["attempts"] + 1,
        finished_at=now,
        last_error=error,
    )
    if row["recipient"]:
        Bounce.objects.get_or_create(
            email_key=row["recipient"].lower(), defaults={"code": code, "reason": error[:1000]}
        )


def mail_deliver(
    *,
    worker_id: str,
    limit: int | None = None,
    smtp: SmtpTarget | None = None,
    now: datetime | None = None,
) -> DeliveryResult:
    """Send one batch of due mails over one SMTP connection."""
    now = now or timezone.now()
    smtp = smtp or SmtpTarget.from_settings()
    result = DeliveryResult()
    outbox_reclaim(now=now)
    ids = outbox_claim(worker_id=worker_id, limit=limit or settings.ASKFIRST_WORKER_BATCH, now=now)
    result.claimed = len(ids)
    if not ids:
        return result
    # Rows erased by CASCADE since the claim are simply gone from this list.
    rows = list(
        Outbox.objects.filter(pk__in=ids, state=OutboxState.SENDING, claimed_by=worker_id)
        .order_by("id")
        .values("id", "name", "contact_id", "recipient", "message", "attempts")
    )
    reasons = _suppression(rows)
    for pk, reason in reasons.items():
        Outbox.objects.filter(pk=pk).update(
            state=OutboxState.SUPPRESSED, finished_at=now, claimed_by="", last_error=reason
        )
    result.suppressed = len(reasons)
    sendable = [row for row in rows if row["id"] not in reasons]
    if not sendable:
        return result
    deletion_ids = {row["id"] for row in sendable if row["name"] == MailName.DELETION}
    sender = envelope_sender()
    client: smtplib.SMTP | None = None
    done: list[int] = []
    position = 0
    try:
        client = smtp.connect()
        for position, row in enumerate(sendable):  # noqa: B007 (used after the loop)
            message = row["message"]
            options = [] if message.isascii() else ["SMTPUTF8"]
            try:
                recipient = ascii_address(row["recipient"])
                client.sendmail(sender, [recipient], message.encode("utf-8"), options)
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                error = f"{code} {_text(text)}"
                if code >= 500:
                    _mark_bounced(row, code, error, timezone.now())
                    result.failed += 1
                else:
                    result.retry += _mark_retry(row, error, timezone.now()) == OutboxState.RETRY
                continue
            except smtplib.SMTPResponseException as exc:
                error = f"{exc.smtp_code} {_text(exc.smtp_error)}"
                if exc.smtp_code >= 500 and isinstance(exc, smtplib.SMTPDataError):
                    _mark_bounced(row, exc.smtp_code, error, timezone.now())
                    result.failed += 1
                    continue
                result.retry += _mark_retry(row, error, timezone.now()) == OutboxState.RETRY
                continue
            done.append(row["id"])
            if len(done) >= MARK_EVERY:
                _mark_sent(done, deletion_ids, timezone.now())
                result.sent += len(done)
                done = []
        position = len(sendable)
    except (OSError, smtplib.SMTPException) as exc:
        # The server is gone (or never answered): this mail and the rest of the
        # batch wait; none is lost.
        error = f"{type(exc).__name__}: {exc}"
        result.errors.append(error)
        log.warning("SMTP delivery interrupted: %s", error)
        failed_now = timezone.now()
        untried = sendable[position:]
        if untried:
            _mark_retry(untried[0], error, failed_now)
            result.retry += 1
            rest = [row["id"] for row in untried[1:]]
            Outbox.objects.filter(pk__in=rest, state=OutboxState.SENDING).update(
                state=OutboxState.RETRY,
                next_attempt_at=failed_now + backoff(attempts=1),
                claimed_by="",
            )
            result.retry += len(rest)
    finally:
        _mark_sent(done, deletion_ids, timezone.now())
        result.sent += len(done)
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()
    return result
