"""Workflows on contacts. Every interface (admin, API, import) goes through these."""

from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from askfirst.contacts.inputs import ContactInput
from askfirst.contacts.language import suggest_language, suggestion_trusted
from askfirst.contacts.models import (
    Contact,
    ErasureCount,
    ErasureReason,
    Kind,
    MailLanguage,
    RestrictionReview,
    Status,
    Upkeep,
)


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    # A deactivated address: nothing stored, nothing restarted.
    DEACTIVATED = "deactivated"


class ContactConflict(ValueError):
    pass


def contact_find(*, data: ContactInput) -> Contact | None:
    """The known contact this input describes: by address, else by its id in the source."""
    by_email = Contact.objects.filter(email_key=data.email_key).first()
    if not data.source_ref:
        return by_email
    by_ref = Contact.objects.filter(source=data.source, source_ref=data.source_ref).first()
    if by_email and by_ref and by_email.pk != by_ref.pk:
        raise ContactConflict(
            f"{data.email} is a known contact, but {data.source} id {data.source_ref!r} "
            "belongs to another one."
        )
    return by_email or by_ref


def _apply_suggestion(contact: Contact) -> None:
    language, reason = suggest_language(
        email=contact.email, country=contact.country, source_language=contact.source_language
    )
    contact.suggested_language = language
    contact.suggestion_reason = reason
    if contact.status == Status.QUEUED and suggestion_trusted(reason):
        contact.start_asking(language=language, by=None, at=timezone.now(), automatically=True)


def contact_new(*, data: ContactInput) -> Contact:
    """An unsaved contact built from validated input (used for bulk creation too)."""
    values = data.values()
    values["kind"] = values["kind"] or Kind.PROSPECT
    contact = Contact(email_key=data.email_key, **values)
    _apply_suggestion(contact)
    return contact


def contact_merge(*, contact: Contact, data: ContactInput) -> bool:
    """Copy the given fields onto a known contact; return whether anything changed.

    A known contact's consent process is never restarted by hearing about it
    again; one still waiting for a language starts if its new suggestion is
    one the operator trusts (ASKFIRST_AUTO_LANGUAGE).
    """
    changed = False
    names = data.given | {"email"}
    if data.source != contact.source:
        # An id means something only in its own system.
        names -= {"source_ref"}
    for name in names:
        value = getattr(data, name)
        if getattr(contact, name) != value:
            setattr(contact, name, value)
            changed = True
    if changed:
        _apply_suggestion(contact)
    return changed


@transaction.atomic
def contact_upsert(*, data: ContactInput) -> tuple[Contact, Outcome]:
    """Create or update one contact, keyed by address, else by (source, source_ref)."""
    contact = contact_find(data=data)
    if contact is None:
        contact = contact_new(data=data)
        contact.save()
        return contact, Outcome.CREATED
    if contact.status == Status.DEACTIVATED:
        return contact, Outcome.DEACTIVATED
    contact.email_key = data.email_key
    if not contact_merge(contact=contact, data=data):
        return contact, Outcome.UNCHANGED
    contact.save()
    return contact, Outcome.UPDATED


class LanguageChoiceError(ValueError):
    pass


@transaction.atomic
def contact_choose_language(*, contact: Contact, language: str, user) -> Contact:
    """Staff pick the mail language; the consent process starts."""
    if language not in {MailLanguage.GERMAN, MailLanguage.ENGLISH, MailLanguage.BILINGUAL}:
        raise LanguageChoiceError(f"{language!r} is not a mail language.")
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.status != Status.QUEUED:
        raise LanguageChoiceError(f"{contact.email} is not waiting for a language.")
    # The worker sends the request mail as soon as it sees the contact due.
    contact.start_asking(language=language, by=user, at=timezone.now())
    contact.save(update_fields=[*Contact.ASKING_FIELDS, "updated_at"])
    return contact


def contact_restriction_review(*, contact: Contact, basis: str, user) -> bool:
    """Record staff's decision on a restricted contact: kept under `basis`.

    False (nothing recorded) for a contact that is not restricted (any more).
    """
    with transaction.atomic():
        locked = Contact.objects.select_for_update().filter(pk=contact.pk).first()
        if locked is None or locked.status != Status.RESTRICTED:
            return False
        RestrictionReview.objects.update_or_create(
            contact=locked,
            defaults={"basis": basis, "reviewed_by": user, "reviewed_at": timezone.now()},
        )
    return True


def contact_erase(*, contact: Contact, reason: str = ErasureReason.OTHER) -> None:
    """Forget a person: the contact and everything that refers to it.

    What remains is one anonymous count per day. Rows that point at the
    contact by foreign key (ledger, states, tokens, mails) go with it by
    CASCADE; the admin's change log refers to it loosely, so it goes here.
    """
    with transaction.atomic():
        locked = Contact.objects.select_for_update().filter(pk=contact.pk).first()
        if locked is None:
            return
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Contact),
            object_id=str(locked.pk),
        ).delete()
        # Apps that keep something about the person without a foreign key
        # (bounces by address, throttle counters) name their step in settings:
        # this app cannot import them, and a signal would hide the rule.
        for step in settings.ASKFIRST_ERASURE_STEPS:
            import_string(step)(contact=locked)
        locked.delete()
        scrub_schedule()
        day = timezone.localdate()
        ErasureCount.objects.get_or_create(day=day, reason=reason)
        ErasureCount.objects.filter(day=day, reason=reason).update(count=F("count") + 1)
    transaction.on_commit(database_scrub)


# A checkpoint waits this long for readers still using the write-ahead log (the
# connection's usual busy timeout is 20 s: too long to hold up the request that
# erased), then gives up; the scrub is tried again SCRUB_RETRY later.
SCRUB_WAIT_MS = 1000
SCRUB_RETRY = timedelta(minutes=1)


def database_scrub() -> bool:
    """Push freed bytes out of the database files after an erasure.

    SQLite: secure_delete already zeroes freed cells in the main file, but
    the old pages still sit in the write-ahead log until a checkpoint copies
    them home and truncates it. PostgreSQL keeps dead rows until VACUUM;
    `askfirst scrub` runs that (see docs/operations.md).

    Return False when a reader kept the log from being truncated: the old pages
    are still in it, and another scrub is scheduled SCRUB_RETRY from now.
    """
    # Inside a transaction the log cannot be checkpointed past it; the
    # transaction's own on_commit (or the next scrub) does it.
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return True
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (usual,) = cursor.fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {SCRUB_WAIT_MS}")
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            # (busy, frames in the log, frames copied home): busy means a reader
            # still used the log, so it was neither fully copied nor truncated.
            busy, _log, _copied = cursor.fetchone()
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(usual)}")
    if busy:
        scrub_schedule(delay=SCRUB_RETRY)
        return False
    return True


SCRUB = "scrub"


def scrub_schedule(*, delay: timedelta | None = None) -> None:
    """Ask for a scrub of the database files soon (call inside the erasing transaction).

    Erasures within ASKFIRST_SCRUB_DELAY share one scrub; an earlier due time
    is never pushed back, and a retry sooner than the scrub already due brings
    it forward.
    """
    due = timezone.now() + (settings.ASKFIRST_SCRUB_DELAY if delay is None else delay)
    Upkeep.objects.get_or_create(name=SCRUB)
    Upkeep.objects.filter(Q(due_at__isnull=True) | Q(due_at__gt=due), name=SCRUB).update(due_at=due)


def scrub_claim() -> bool:
    """True for the one caller that takes a due scrub; it must then run `askfirst scrub`."""
    return bool(Upkeep.objects.filter(name=SCRUB, due_at__lte=timezone.now()).update(due_at=None))
