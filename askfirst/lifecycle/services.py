"""The consent request as a state machine: request → reminders → expiry.

A contact is due when `next_action_at` has passed. The worker claims a batch
of due contacts, advances each one step, and writes the rendered mails to the
outbox in the same transaction (docs/lifecycle.md).
"""

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from askfirst.contacts.models import (
    PERSONAL_FIELDS,
    Contact,
    ErasureReason,
    Kind,
    RestrictionReview,
    Source,
    Status,
    Topic,
)
from askfirst.contacts.services import contact_erase
from askfirst.lifecycle.models import LinkToken, TokenPurpose
from askfirst.mail.bulk import rows_insert
from askfirst.mail.models import MailName, Outbox, OutboxState
from askfirst.mail.render import MailRenderer, mail_greeting
from askfirst.mail.services import mail_renderer, outbox_row

# Said in the mail: where the data came from, per language.
SOURCE_TEXT: dict[str, dict[str, str]] = {
    "de": {
        Source.FORM: "über ein Formular auf unserer Website",
        Source.CHAT: "aus einem Chat mit Ihnen",
        Source.EMAIL: "aus einer E-Mail von Ihnen",
        Source.BUSINESS_CARD: "von Ihrer Visitenkarte",
        Source.PHONE: "aus einem Telefonat mit Ihnen",
        Source.IMPORT: "aus einer Adressliste, die wir übernommen haben",
        Source.API: "aus einem unserer Systeme",
        Source.CONNECTOR: "aus unserem Kundenverwaltungssystem (CRM)",
    },
    "en": {
        Source.FORM: "from a form on our website",
        Source.CHAT: "from a chat with you",
        Source.EMAIL: "from an email you sent us",
        Source.BUSINESS_CARD: "from your business card",
        Source.PHONE: "from a phone call with you",
        Source.IMPORT: "from an address list we took over",
        Source.API: "from one of our systems",
        Source.CONNECTOR: "from our customer relationship system (CRM)",
    },
}
FIELD_LABELS = {
    "de": {
        "name": "Name",
        "email": "E-Mail",
        "company": "Firma",
        "position": "Position",
        "phone": "Telefon",
        "address": "Anschrift",
        "topics": "Interessen",
    },
    "en": {
        "name": "Name",
        "email": "Email",
        "company": "Company",
        "position": "Position",
        "phone": "Phone",
        "address": "Address",
        "topics": "Interests",
    },
}
MONTHS_EN = "January February March April May June July August September October November December"


TOKEN_FIELDS = [
    "token_hash",
    "purpose",
    "contact_id",
    "language",
    "mail",
    "text_version",
    "created_at",
    "expires_at",
]
OUTBOX_FIELDS = [
    "name",
    "step",
    "language",
    "text_version",
    "contact_id",
    "recipient",
    "message_id",
    "message",
    "state",
    "attempts",
    "next_attempt_at",
    "created_at",
    "claimed_by",
    "last_error",
]


@dataclass
class AdvanceResult:
    contacts: int = 0
    mails: int = 0
    erased: int = 0
    restricted: int = 0


def source_text(*, source: str, language: str) -> str:
    """Where the data came from, in words, as the mails say it."""
    texts = SOURCE_TEXT["de" if language == "de" else "en"]
    return texts.get(source, source)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def link_url(token: str, action: str = "") -> str:
    """A mail link: the portal, or `action` ("yes", "deactivate") for a mail's token."""
    return (
        f"{settings.SITE_URL}/l/{token}/{action}/" if action else f"{settings.SITE_URL}/l/{token}/"
    )


def unsubscribe_url(token: str) -> str:
    return f"{settings.SITE_URL}/l/{token}/unsubscribe/"


def schedule() -> tuple[timedelta, ...]:
    return settings.ASKFIRST_SCHEDULE


def campaign_end(*, asking_since: datetime) -> datetime:
    return asking_since + schedule()[-1]


def token_expiry(*, start: datetime) -> datetime:
    return start + schedule()[-1] + settings.ASKFIRST_TOKEN_MARGIN


def format_moment(moment: datetime, *, language: str, with_time: bool) -> str:
    return _format_moment(moment, language, with_time, timezone.get_current_timezone())


@functools.lru_cache(maxsize=1024)
def _format_moment(moment: datetime, language: str, with_time: bool, zone: tzinfo) -> str:
    # Cached: a batch mostly shares a few deletion dates.
    local = timezone.localtime(moment, zone)
    if language == "de":
        text = local.strftime("%d.%m.%Y")
    else:
        text = f"{local.day} {MONTHS_EN.split()[local.month - 1]} {local.year}"
    return f"{text}, {local:%H:%M}" if with_time else text


def _topics_of(contacts: list[Contact]) -> dict[int, list[Topic]]:
    """Each contact's interests in two queries (prefetch_related costs ~20 µs a contact)."""
    through = Contact.topics.through
    pairs = list(
        through._default_manager.filter(contact_id__in=[c.pk for c in contacts]).values_list(
            "contact_id", "topic_id"
        )
    )
    if not pairs:
        return {}
    by_id = {t.pk: t for t in Topic.objects.filter(pk__in={topic for _, topic in pairs})}
    topics: dict[int, list[Topic]] = {}
    for contact_id, topic_id in pairs:
        topics.setdefault(contact_id, []).append(by_id[topic_id])
    for found in topics.values():
        found.sort(key=lambda t: t.key)  # Topic.Meta.ordering
    return topics


def _data_lines(contact: Contact, language: str, topics: list[Topic]) -> str:
    labels = FIELD_LABELS[language]
    address = ", ".join(
        part
        for part in (
            contact.street,
            f"{contact.postal_code} {contact.city}".strip(),
            contact.country,
        )
        if part
    )
    items = [
        ("name", contact.full_name),
        ("email", contact.email),
        ("company", contact.company),
        ("position", contact.position),
        ("phone", contact.phone),
        ("address", address),
        ("topics", ", ".join(t.label(language) for t in topics)),
    ]
    return "\n".join(f"  {labels[key]}: {value}" for key, value in items if value)


def _languages(mail_language: str) -> list[str]:
    return ["de", "en"] if mail_language == "de+en" else [mail_language or "en"]


def mail_contexts(
    *,
    contact: Contact,
    language: str,
    now: datetime,
    renderer: MailRenderer,
    extra: dict[str, str],
    topics: list[Topic] | None = None,
) -> dict[str, dict[str, str]]:
    """Placeholder values for each language of one mail (`topics`: if the batch read them)."""
    if topics is None:
        topics = list(contact.topics.all())
    end = campaign_end(asking_since=contact.asking_since or now)
    # A demo schedule in minutes needs the time of day; a real one only the date.
    with_time = schedule()[-1] < timedelta(days=2)
    contexts = {}
    name = contact.full_name
    for lang in _languages(language):
        contexts[lang] = {
            "greeting": mail_greeting(name=name, language=lang),
            **renderer.sender,
            "data": _data_lines(contact, lang, topics),
            "source": source_text(source=contact.source, language=lang),
            "deletion_date": format_moment(end, language=lang, with_time=with_time),
            **extra,
        }
    return contexts


def _new_token(
    *,
    contact: Contact,
    language: str,
    mail: str,
    text_version: str,
    now: datetime,
    expires: datetime,
    sink: list[tuple],
) -> str:
    """The personal token behind every link of one mail; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    # In TOKEN_FIELDS order.
    sink.append(
        (
            token_hash(token),
            TokenPurpose.MAIL,
            contact.pk,
            language,
            mail,
            text_version,
            now,
            expires,
        )
    )
    return token


def _asking_mail(
    *,
    contact: Contact,
    step: int,
    now: datetime,
    renderer: MailRenderer,
    tokens_sink: list[tuple],
    topics: list[Topic],
) -> tuple:
    """The request (step 0) or reminder number `step`, rendered, with its links."""
    language = contact.mail_language or "en"
    name = MailName.REQUEST if step == 0 else MailName.REMINDER
    token = _new_token(
        contact=contact,
        language=language,
        mail=name,
        text_version=renderer.text_version(name=name, language=language),
        now=now,
        expires=token_expiry(start=contact.asking_since or now),
        sink=tokens_sink,
    )
    portal_url = link_url(token)  # the others add their action to it
    contexts = mail_contexts(
        contact=contact,
        language=language,
        now=now,
        renderer=renderer,
        topics=topics,
        extra={
            "reminder_number": str(step),
            "yes_url": f"{portal_url}{TokenPurpose.YES}/",
            "deactivate_url": f"{portal_url}{TokenPurpose.DEACTIVATE}/",
            "portal_url": portal_url,
        },
    )
    rendered = renderer.render(
        name=name,
        language=language,
        recipient=contact.email,
        contexts=contexts,
        unsubscribe_url=f"{portal_url}unsubscribe/",
    )
    # In OUTBOX_FIELDS order.
    return (
        name,
        step,
        language,
        rendered.text_version,
        contact.pk,
        contact.email,
        rendered.message_id,
        rendered.message,
        OutboxState.PENDING,
        0,
        now,
        now,
        "",
        "",
    )


def deletion_mail(
    *, contact: Contact, now: datetime, renderer: MailRenderer, topics: list[Topic] | None = None
) -> Outbox:
    """The confirmation to a person about to be erased: no contact, no links."""
    language = contact.mail_language or "en"
    contexts = mail_contexts(
        contact=contact, language=language, now=now, renderer=renderer, extra={}, topics=topics
    )
    rendered = renderer.render(
        name=MailName.DELETION,
        language=language,
        recipient=contact.email,
        contexts=contexts,
        unsubscribe_url=None,
    )
    return outbox_row(
        name=MailName.DELETION,
        language=language,
        contact=None,
        recipient=contact.email,
        rendered=rendered,
        now=now,
    )


def _update_steps(rows: list[tuple[int, datetime, datetime, int]]) -> None:
    """(step, next_action_at, updated_at, pk) for many contacts in one statement."""
    if not rows:
        return
    table = connection.ops.quote_name(Contact._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement, four array parameters: a VALUES list of 500 rows
            # costs psycopg a client-side parse of 2,000 placeholders.
            steps, dues, changed, ids = (list(column) for column in zip(*rows, strict=True))
            cursor.execute(
                f"UPDATE {table} AS c SET lifecycle_step = v.step, next_action_at = v.due, "
                "updated_at = v.changed FROM unnest(%s::smallint[], %s::timestamptz[], "
                "%s::timestamptz[], %s::bigint[]) AS v(step, due, changed, id) WHERE c.id = v.id",
                [steps, dues, changed, ids],
            )
        else:
            field = Contact._meta.get_field("next_action_at")
            # A batch shares a few distinct moments; preparing one is ~15 µs.
            prepared: dict[datetime, str] = {}

            def prep(moment: datetime) -> str:
                if moment not in prepared:
                    prepared[moment] = field.get_db_prep_value(moment, connection)
                return prepared[moment]

            cursor.executemany(
                f"UPDATE {table} SET lifecycle_step = %s, next_action_at = %s, updated_at = %s "
                "WHERE id = %s",
                [(step, prep(when), prep(updated), pk) for step, when, updated, pk in rows],
            )


# What a batch reads of each contact: the mails' placeholders and the step.
# The other columns (ledger head, extranet fields, timestamps…) cost a
# conversion each per row; tests/lifecycle/test_advance_costs_constant_queries.py
# would catch one read later by a query per contact.
BATCH_FIELDS = (
    "email",
    *PERSONAL_FIELDS,
    "kind",
    "source",
    "mail_language",
    "asking_since",
    "lifecycle_step",
)


def _claim_due(*, now: datetime, limit: int) -> list[Contact]:
    due = (
        Contact.objects.only(*BATCH_FIELDS)
        .filter(next_action_at__lte=now, status=Status.ASKING)
        .order_by(
            # Only the indexed column: with a tie-breaker ("id") PostgreSQL sorts
            # every due row for each batch instead of reading `limit` index entries.
            "next_action_at"
        )
    )
    if not connection.features.has_select_for_update_skip_locked:
        # SQLite: settings use IMMEDIATE transactions, one writer at a time, so
        # the plain read inside the transaction already sees the final state.
        return list(due[:limit])
    # PostgreSQL: a row another worker (or an answer) holds is skipped, and
    # the WHERE is re-checked on the rows we lock, so an answer committed a
    # moment ago is never advanced.
    due = due.select_for_update(skip_locked=True, of=("self",))
    with connection.cursor() as cursor:
        # Walk contact_due_idx in order and stop after `limit` rows. Every
        # advanced contact leaves a dead entry at the front of the index until
        # VACUUM; with stale statistics the planner prefers a bitmap scan, which
        # reads all of them plus every due row and sorts them for each batch
        # (46 ms a batch half-way through 100,000, growing). An index scan
        # marks the dead entries as it passes them (0.3 ms).
        cursor.execute(
            "SELECT seqscan, bitmapscan, set_config('enable_seqscan', 'off', true), "
            "set_config('enable_bitmapscan', 'off', true) FROM (SELECT "
            "current_setting('enable_seqscan') AS seqscan, "
            "current_setting('enable_bitmapscan') AS bitmapscan OFFSET 0) AS before"
        )
        seqscan, bitmapscan = cursor.fetchone()[:2]
        contacts = list(due[:limit])
        # (On an error the rollback drops the LOCAL settings anyway.)
        cursor.execute(
            "SELECT set_config('enable_seqscan', %s, true), "
            "set_config('enable_bitmapscan', %s, true)",
            [seqscan, bitmapscan],
        )
    return contacts


def lifecycle_advance(*, now: datetime | None = None, limit: int | None = None) -> AdvanceResult:
    """Advance one batch of due contacts by one step each, in one transaction."""
    now = now or timezone.now()
    limit = limit or settings.ASKFIRST_WORKER_BATCH
    offsets = schedule()
    last_mail_step = len(offsets) - 2  # request + reminders; the last offset is expiry
    result = AdvanceResult()
    with transaction.atomic():
        contacts = _claim_due(now=now, limit=limit)
        if not contacts:
            return result
        topics = _topics_of(contacts)
        result.contacts = len(contacts)
        renderer = mail_renderer(now=now)
        mails: list[tuple] = []
        tokens: list[tuple] = []
        steps: list[tuple[int, datetime, datetime, int]] = []
        expired: list[Contact] = []
        restricted: list[int] = []
        for contact in contacts:
            step = contact.lifecycle_step
            if step > last_mail_step:
                expired.append(contact)
                continue
            mails.append(
                _asking_mail(
                    contact=contact,
                    step=step,
                    now=now,
                    renderer=renderer,
                    tokens_sink=tokens,
                    topics=topics.get(contact.pk, []),
                )
            )
            start = contact.asking_since or now
            steps.append((step + 1, start + offsets[step + 1], now, contact.pk))
        for contact in expired:
            if contact.kind == Kind.CUSTOMER and settings.ASKFIRST_CUSTOMER_EXPIRY == "restrict":
                # Kept under another legal basis, with no marketing purposes;
                # the status flags it for staff review.
                Contact.objects.filter(pk=contact.pk).update(
                    status=Status.RESTRICTED, next_action_at=None, updated_at=now
                )
                restricted.append(contact.pk)
                result.restricted += 1
            else:
                deletion = deletion_mail(
                    contact=contact, now=now, renderer=renderer, topics=topics.get(contact.pk, [])
                )
                mails.append(tuple(getattr(deletion, name) for name in OUTBOX_FIELDS))
                result.erased += 1
        if restricted:
            # A decision made on an earlier restriction does not carry over to this one.
            RestrictionReview.objects.filter(contact_id__in=restricted).delete()
        rows_insert(LinkToken, tokens, TOKEN_FIELDS)
        rows_insert(Outbox, mails, OUTBOX_FIELDS)
        _update_steps(steps)
        for contact in expired:
            if not (
                contact.kind == Kind.CUSTOMER and settings.ASKFIRST_CUSTOMER_EXPIRY == "restrict"
            ):
                contact_erase(contact=contact, reason=ErasureReason.EXPIRED)
        result.mails = len(mails)
    return result


def lifecycle_tidy(*, now: datetime | None = None) -> int:
    """Housekeeping: stop rows due that no longer ask, drop expired link tokens."""
    now = now or timezone.now()
    stale = (
        Contact.objects.filter(next_action_at__lte=now)
        .exclude(status=Status.ASKING)
        .update(next_action_at=None)
    )
    LinkToken.objects.filter(expires_at__lt=now).delete()
    return stale


def portal_link_send(*, contact: Contact, now: datetime | None = None) -> Outbox:
    """Write a mail with a fresh personal portal link to the outbox."""
    now = now or timezone.now()
    with transaction.atomic():
        renderer = mail_renderer(now=now)
        language = contact.mail_language or "en"
        tokens: list[tuple] = []
        expires = token_expiry(start=now)
        token = _new_token(
            contact=contact,
            language=language,
            mail=MailName.PORTAL,
            text_version=renderer.text_version(name=MailName.PORTAL, language=language),
            now=now,
            expires=expires,
            sink=tokens,
        )
        contexts = mail_contexts(
            contact=contact,
            language=language,
            now=now,
            renderer=renderer,
            extra={"portal_url": link_url(token)},
        )
        for lang, values in contexts.items():
            values["link_expiry"] = format_moment(expires, language=lang, with_time=True)
        rendered = renderer.render(
            name=MailName.PORTAL,
            language=language,
            recipient=contact.email,
            contexts=contexts,
            unsubscribe_url=unsubscribe_url(token),
        )
        rows_insert(LinkToken, tokens, TOKEN_FIELDS)
        row = outbox_row(
            name=MailName.PORTAL,
            language=language,
            contact=contact,
            recipient=contact.email,
            rendered=rendered,
            now=now,
        )
        row.save()
    return row
