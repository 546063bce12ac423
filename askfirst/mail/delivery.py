"""Delivering the outbox over SMTP.

A worker claims due rows (state `sending`, with its id and the time) and
commits; then it talks SMTP over one connection, outside any transaction, and
marks what the server accepted. If the process dies between the server's
"250 OK" and that mark, the row is taken up again after
ASKFIRST_MAIL_SENDING_TIMEOUT: that is the bounded duplicate (docs/mail.md).

Only the server's answer about one message counts against that message: a
4xx is an attempt, a 5xx is final. A connection that fails (refused, timed
out, dropped, a 421 "closing") says nothing about the mails: they go back to
the queue as they were, and no worker connects again for a while (SmtpOutage).
"""

import logging
import re
import smtplib
import ssl
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from askfirst.contacts.models import Contact, Status
from askfirst.contacts.services import scrub_schedule
from askfirst.mail.models import DUE_STATES, Bounce, MailName, Outbox, OutboxState, SmtpOutage
from askfirst.mail.render import ascii_address

log = logging.getLogger(__name__)

# Rows marked sent per commit while a batch is being sent: a crash loses at
# most this many "sent" marks (and so re-sends at most this many mails).
MARK_EVERY = 50
# Request and reminders make sense only while the person has not answered.
ASKING_MAILS = {MailName.REQUEST, MailName.REMINDER}
# The longest pause between two connection attempts while the server is
# unreachable: once it is back, the queue moves again within this.
OUTAGE_WAIT_MAX = timedelta(minutes=15)
# "Service not available, closing transmission channel": the server's state,
# not a verdict on the message in hand.
CLOSING = 421
# Outbox states of a mail that has gone or may still go out.
_LIVE_STATES = (OutboxState.PENDING, OutboxState.RETRY, OutboxState.SENDING, OutboxState.SENT)
# An SMTP reply's code and enhanced code, without its text.
_REPLY_CODES = re.compile(r"\d{3}(?: [245]\.\d{1,3}\.\d{1,3})?")

# What the server said about one message (_send_one).
_ACCEPTED, _TEMPORARY, _BOUNCED, _UNSENDABLE = "accepted", "temporary", "bounced", "unsendable"


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    user: str = ""
    password: str = ""
    starttls: bool = False
    timeout: int = 30
    # TLS from the first byte (SMTPS, port 465) instead of STARTTLS.
    implicit_tls: bool = False
    # Trust only the CAs in this PEM file (a private CA); empty: the system's.
    ca_file: str = ""

    @classmethod
    def from_settings(cls) -> "SmtpTarget":
        return cls(
            host=settings.ASKFIRST_SMTP_HOST,
            port=settings.ASKFIRST_SMTP_PORT,
            user=settings.ASKFIRST_SMTP_USER,
            password=settings.ASKFIRST_SMTP_PASSWORD,
            starttls=settings.ASKFIRST_SMTP_STARTTLS,
            timeout=settings.ASKFIRST_SMTP_TIMEOUT,
            implicit_tls=settings.ASKFIRST_SMTP_IMPLICIT_TLS,
            ca_file=settings.ASKFIRST_SMTP_CA_FILE,
        )

    def tls_context(self) -> ssl.SSLContext:
        """Verifies the server's certificate and that it names `host`.

        (smtplib without a context verifies nothing.) A certificate that does
        not verify fails the handshake with an OSError (ssl.SSLError): to
        delivery that is a failed connection like any other, so the mails wait
        in the queue and no attempt is used (mail_deliver).
        """
        return ssl.create_default_context(cafile=self.ca_file or None)

    def connect(self) -> smtplib.SMTP:
        client: smtplib.SMTP
        if self.implicit_tls:
            client = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self.tls_context()
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            # Here rather than in the first sendmail: a refused HELO is about
            # the connection, not about the first mail of the batch.
            client.ehlo_or_helo_if_needed()
            if self.starttls:
                # Raises SMTPNotSupportedError if the server does not offer it:
                # never falls back to sending in clear.
                client.starttls(context=self.tls_context())
            if self.user:
                client.login(self.user, self.password)
        except BaseException:
            client.close()
            raise
        return client


@dataclass
class DeliveryResult:
    claimed: int = 0
    sent: int = 0
    retry: int = 0
    failed: int = 0
    suppressed: int = 0
    # Given back to the queue untouched: the connection failed before the
    # server said anything about them.
    deferred: int = 0
    # Set when nothing was claimed because the server was unreachable lately.
    paused_until: datetime | None = None
    errors: list[str] = field(default_factory=list)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def envelope_sender() -> str:
    return settings.ASKFIRST_MAIL_ENVELOPE_FROM or parseaddr(settings.ASKFIRST_MAIL_FROM)[1]


def _doubled(base: timedelta, *, times: int, cap: timedelta) -> timedelta:
    """base × 2^times, at most cap (a loop: 2**times of a long outage overflows timedelta)."""
    wait = base
    for _ in range(max(times, 0)):
        if wait >= cap:
            break
        wait *= 2
    return min(wait, cap)


def backoff(*, attempts: int) -> timedelta:
    """1×, 2×, 4×… the base wait, at most a day."""
    return _doubled(settings.ASKFIRST_MAIL_RETRY_BASE, times=attempts - 1, cap=timedelta(days=1))


def outage_wait(*, failures: int) -> timedelta:
    """After `failures` failed connections in a row: 1×, 2×, 4×… the base wait, at most
    OUTAGE_WAIT_MAX."""
    return _doubled(settings.ASKFIRST_MAIL_RETRY_BASE, times=failures - 1, cap=OUTAGE_WAIT_MAX)


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


def _superseded(rows: list[Any]) -> dict[int, str]:
    """Reminders that a later mail to the same person makes pointless.

    While mail cannot go out (a long SMTP outage, a receiving server that
    defers for days), the lifecycle keeps its schedule and queues the next
    reminders; they must not arrive in a burst. Of the reminders still to go
    only the latest is sent, and none before the request: the request carries
    the information the reminders refer back to ("a while ago we asked"), so
    it is never superseded itself. One query, and only for batches holding
    reminders.
    """
    reminders = [row for row in rows if row["name"] == MailName.REMINDER]
    if not reminders:
        return {}
    request_waiting: set[int] = set()
    latest: dict[int, int] = {}
    later = Outbox.objects.filter(
        contact_id__in={row["contact_id"] for row in reminders},
        name__in=ASKING_MAILS,
        state__in=_LIVE_STATES,
    ).values_list("contact_id", "name", "step", "state")
    for contact_id, name, step, state in later:
        if name == MailName.REQUEST:
            if state != OutboxState.SENT:
                request_waiting.add(contact_id)
        else:
            latest[contact_id] = max(step, latest.get(contact_id, 0))
    reasons = {}
    for row in reminders:
        if row["contact_id"] in request_waiting:
            reasons[row["id"]] = "superseded: the request has not gone out yet"
        elif latest.get(row["contact_id"], 0) > row["step"]:
            reasons[row["id"]] = f"superseded by reminder {latest[row['contact_id']]}"
    return reasons


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
    reasons.update(_superseded([row for row in rows if row["id"] not in reasons]))
    return reasons


def _forget(ids: list[int], **fields: Any) -> None:
    """Blank finished mails to erased people (deletion confirmations).

    Blanking leaves the old bytes in the database files (SQLite's WAL,
    PostgreSQL's dead rows) until a scrub, and the scrub the erasure asked
    for may have run while the mail waited. scrub_schedule joins a scrub
    already due, so a busy day costs one scrub, not one per mail.
    """
    with transaction.atomic():
        Outbox.objects.filter(pk__in=ids).update(recipient="", message="", **fields)
        scrub_schedule()


def _nameless(error: str) -> str:
    """What a row about an erased person may keep of an error: a server's reply
    often repeats the address, so only its codes (or the error's kind)."""
    match = _REPLY_CODES.match(error)
    return match.group(0) if match else error.partition(":")[0][:200]


def _mark_suppressed(rows: list[Any], reasons: dict[int, str], now: datetime) -> None:
    by_reason: dict[str, list[int]] = defaultdict(list)
    for pk, reason in reasons.items():
        by_reason[reason].append(pk)
    for reason, ids in by_reason.items():
        Outbox.objects.filter(pk__in=ids).update(
            state=OutboxState.SUPPRESSED, finished_at=now, claimed_by="", last_error=reason
        )
    nobody = [row["id"] for row in rows if row["id"] in reasons and row["contact_id"] is None]
    if nobody:
        _forget(nobody)


def _mark_sent(ids: list[int], nobody: set[int], now: datetime) -> None:
    if not ids:
        return
    Outbox.objects.filter(pk__in=ids).update(
        state=OutboxState.SENT,
        sent_at=now,
        finished_at=now,
        attempts=F("attempts") + 1,
        last_error="",
    )
    gone = [pk for pk in ids if pk in nobody]
    if gone:
        # The person was erased: the confirmation keeps no address or text once sent.
        _forget(gone)


def _mark_failed(row: Any, error: str, now: datetime, *, attempts: int) -> None:
    fields = {
        "state": OutboxState.FAILED,
        "attempts": attempts,
        "finished_at": now,
        "last_error": error,
    }
    if row["contact_id"] is None:
        # A deletion confirmation that cannot be delivered: nobody will send
        # it again, and the person is erased.
        _forget([row["id"]], **(fields | {"last_error": _nameless(error)}))
        return
    Outbox.objects.filter(pk=row["id"]).update(**fields)


def _mark_retry(row: Any, error: str, now: datetime) -> str:
    attempts = row["attempts"] + 1
    if attempts >= settings.ASKFIRST_MAIL_MAX_ATTEMPTS:
        _mark_failed(row, error, now, attempts=attempts)
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
    _mark_failed(row, error, now, attempts=row["attempts"] + 1)
    # Not for a deletion confirmation: the erasure has just taken the address
    # out of Bounce, and there is nobody left to write to again.
    if row["contact_id"] is not None and row["recipient"]:
        Bounce.objects.get_or_create(
            email_key=row["recipient"].lower(), defaults={"code": code, "reason": error[:1000]}
        )


def _describe(exc: Exception) -> str:
    """A connection failure for the log and the rows' last_error."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        # Its str() is the whole {address: reply} dict; the reply is enough.
        code, text = next(iter(exc.recipients.values()), (0, b""))
        return f"{type(exc).__name__}: {code} {_text(text)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__}: {exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


def _is_reply(exc: BaseException) -> bool:
    """The server answered (a 421, a refused HELO…): its state, not a broken wire.

    SMTPRecipientsRefused carries its replies per recipient and is no
    SMTPResponseException, so it is named here too.
    """
    return isinstance(exc, (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused))


def _send_one(client: smtplib.SMTP, sender: str, row: Any) -> tuple[str, int, str]:
    """(verdict, code, error) on the server's answer about this message.

    Raises on anything that is about the connection rather than the message:
    it broke, timed out, or the server said 421 (closing) or refused our HELO.
    """
    message = row["message"]
    options = [] if message.isascii() else ["SMTPUTF8"]
    try:
        recipient = ascii_address(row["recipient"])
    except UnicodeError as exc:
        # A domain IDNA cannot encode: no server will ever take it.
        return _UNSENDABLE, 0, f"address cannot be encoded ({exc})"
    try:
        client.sendmail(sender, [recipient], message.encode("utf-8"), options)
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        if code == CLOSING:
            raise
        return (_BOUNCED if code >= 500 else _TEMPORARY), code, f"{code} {_text(text)}"
    except smtplib.SMTPNotSupportedError as exc:
        # The address needs SMTPUTF8 and this server lacks it: no retry helps.
        return _UNSENDABLE, 0, f"{type(exc).__name__}: {exc}"
    except smtplib.SMTPHeloError:
        raise
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code == CLOSING:
            raise
        error = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        if exc.smtp_code >= 500 and isinstance(exc, smtplib.SMTPDataError):
            return _BOUNCED, exc.smtp_code, error
        return _TEMPORARY, exc.smtp_code, error
    return _ACCEPTED, 250, ""


def _requeue_last(suspect: Any, *, worker_id: str, at: datetime | None, error: str) -> None:
    """Back behind the rest of the queue: should this very mail be what breaks
    connections, the others still go next time."""
    Outbox.objects.filter(pk=suspect["id"], state=OutboxState.SENDING, claimed_by=worker_id).update(
        state=OutboxState.RETRY, next_attempt_at=at, claimed_by="", last_error=error
    )


def _connection_lost(
    *,
    untried: list[Any],
    suspect: Any,
    answered: bool,
    error: str,
    worker_id: str,
    now: datetime,
) -> int:
    """Give the batch back without using attempts and pause the workers.

    `suspect` is the mail in hand when the wire broke (None for a reply such
    as 421: that is the server's state). The break counts against it only when
    the server answered other mails on the same connection first: it works for
    others, so this mail may be what breaks it. A break with nothing answered
    before it is an outage like any other, whatever the mail in hand. Returns
    how many mails failed: only one that broke the connection
    ASKFIRST_MAIL_MAX_ATTEMPTS times so.
    """
    failed = 0
    with transaction.atomic():
        outage, _ = SmtpOutage.objects.select_for_update().get_or_create(pk=SmtpOutage.ONLY)
        if outage.retry_at is None or outage.retry_at <= now:
            # (Unless another worker failed a moment ago and paused already.)
            stale = outage.retry_at is not None and now > outage.retry_at + outage_wait(
                failures=outage.failures
            )
            # A failure long after the last pause ended (nothing was due, or all
            # was suppressed, so nobody connected) starts a new series.
            outage.failures = 1 if answered or stale else outage.failures + 1
            if outage.failures == 1 or outage.since is None:
                outage.since = now
            outage.retry_at = now + outage_wait(failures=outage.failures)
        if suspect is not None and not answered:
            _requeue_last(suspect, worker_id=worker_id, at=outage.retry_at, error=error)
        elif suspect is not None:
            if outage.dropped_mail == suspect["id"]:
                outage.dropped_count += 1
            else:
                outage.dropped_mail, outage.dropped_count = suspect["id"], 1
            if outage.dropped_count >= settings.ASKFIRST_MAIL_MAX_ATTEMPTS:
                _mark_failed(
                    suspect,
                    f"the connection broke each of the last {outage.dropped_count} times "
                    f"this mail was being sent: {error}",
                    now,
                    attempts=suspect["attempts"],
                )
                outage.dropped_mail, outage.dropped_count = None, 0
                failed = 1
            else:
                _requeue_last(suspect, worker_id=worker_id, at=outage.retry_at, error=error)
        outage.save()
        rest = [row["id"] for row in untried if row is not suspect]
        # Their place in the queue (next_attempt_at) and attempts stay as they were.
        Outbox.objects.filter(pk__in=rest, state=OutboxState.SENDING, claimed_by=worker_id).update(
            state=OutboxState.RETRY, claimed_by="", last_error=error
        )
    return failed


def _outage_over(outage: SmtpOutage, answered: set[int]) -> None:
    """The server answered: the next failure starts a new, short pause.

    `outage` was read when the batch began; each field is cleared only if it
    still holds what was read, so a pause another worker set meanwhile (its
    connection failed while this batch was being sent) survives.
    """
    if outage.failures or outage.retry_at:
        SmtpOutage.objects.filter(
            pk=outage.pk, failures=outage.failures, retry_at=outage.retry_at
        ).update(failures=0, since=None, retry_at=None)
    if outage.dropped_mail is not None and outage.dropped_mail in answered:
        SmtpOutage.objects.filter(
            pk=outage.pk, dropped_mail=outage.dropped_mail, dropped_count=outage.dropped_count
        ).update(dropped_mail=None, dropped_count=0)


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
    outage = SmtpOutage.objects.filter(pk=SmtpOutage.ONLY).first()
    if outage is not None and outage.retry_at is not None and outage.retry_at > now:
        # The server was unreachable a moment ago: nobody knocks before retry_at.
        result.paused_until = outage.retry_at
        return result
    ids = outbox_claim(worker_id=worker_id, limit=limit or settings.ASKFIRST_WORKER_BATCH, now=now)
    result.claimed = len(ids)
    if not ids:
        return result
    # Rows erased by CASCADE since the claim are simply gone from this list.
    # In queue order, so a mail in hand when a connection broke (put behind the
    # queue) comes after the others: if the server answers them, then breaks
    # on it again, that counts against it (_connection_lost).
    rows = list(
        Outbox.objects.filter(pk__in=ids, state=OutboxState.SENDING, claimed_by=worker_id)
        .order_by("next_attempt_at", "id")
        .values("id", "name", "step", "contact_id", "recipient", "message", "attempts")
    )
    reasons = _suppression(rows)
    _mark_suppressed(rows, reasons, now)
    result.suppressed = len(reasons)
    sendable = [row for row in rows if row["id"] not in reasons]
    if not sendable:
        return result
    # Deletion confirmations: the person is erased, the row carries the address alone.
    nobody = {row["id"] for row in sendable if row["contact_id"] is None}
    sender = envelope_sender()
    client: smtplib.SMTP | None = None
    done: list[int] = []
    answered: set[int] = set()
    position = 0
    in_hand = None
    try:
        client = smtp.connect()
        for position, row in enumerate(sendable):  # noqa: B007 (used after the loop)
            in_hand = row
            verdict, code, error = _send_one(client, sender, row)
            answered.add(row["id"])
            if verdict == _ACCEPTED:
                done.append(row["id"])
                if len(done) >= MARK_EVERY:
                    _mark_sent(done, nobody, timezone.now())
                    result.sent += len(done)
                    done = []
            elif verdict == _BOUNCED:
                _mark_bounced(row, code, error, timezone.now())
                result.failed += 1
            elif verdict == _UNSENDABLE:
                _mark_failed(row, error, timezone.now(), attempts=row["attempts"] + 1)
                result.failed += 1
            else:
                state = _mark_retry(row, error, timezone.now())
                result.retry += state == OutboxState.RETRY
                result.failed += state == OutboxState.FAILED
        in_hand = None
        position = len(sendable)
    except (OSError, smtplib.SMTPException) as exc:
        # The server is gone, never answered, or is closing: this mail and the
        # rest of the batch wait, none is lost, and none loses an attempt.
        error = _describe(exc)
        result.errors.append(error)
        log.warning("SMTP delivery interrupted: %s", error)
        untried = sendable[position:]
        lost = _connection_lost(
            untried=untried,
            # A reply (any 421, at RCPT too) is the server's state; only a
            # connection that broke while this mail was on the wire makes the
            # mail a suspect.
            suspect=None if _is_reply(exc) else in_hand,
            answered=bool(answered),
            error=error,
            worker_id=worker_id,
            now=timezone.now(),
        )
        result.failed += lost
        result.deferred += len(untried) - lost
    finally:
        _mark_sent(done, nobody, timezone.now())
        result.sent += len(done)
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()
    if answered and not result.errors and outage is not None:
        _outage_over(outage, answered)
    return result
