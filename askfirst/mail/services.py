"""Mail texts, the outbox and its retention."""

import hashlib
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from askfirst.contacts.models import Contact
from askfirst.contacts.services import scrub_schedule
from askfirst.mail.models import (
    FINAL_STATES,
    MailName,
    MailTemplate,
    Outbox,
    OutboxState,
    TemplateLanguage,
)
from askfirst.mail.render import MailRenderer, MailText, Rendered, TemplateVersion

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "emails"


def mail_template_defaults() -> dict[tuple[str, str], tuple[str, str]]:
    """(name, language) → (subject, body) from askfirst/templates/emails/."""
    defaults = {}
    for name in MailName.values:
        for language in TemplateLanguage.values:
            subject = (TEMPLATE_DIR / f"{name}.{language}.subject.txt").read_text("utf-8")
            body = (TEMPLATE_DIR / f"{name}.{language}.txt").read_text("utf-8")
            defaults[(name, language)] = (subject.strip(), body)
    return defaults


def mail_templates_install(*, template_model=MailTemplate) -> int:
    """Add version 1 from the files for every (name, language) without a text yet.

    Used by the data migration, and again whenever a text is missing (a test
    flush removes migration data).
    """
    existing = set(template_model.objects.values_list("name", "language"))
    missing = [
        template_model(name=name, language=language, version=1, subject=subject, body=body)
        for (name, language), (subject, body) in mail_template_defaults().items()
        if (name, language) not in existing
    ]
    # Several workers may notice the gap at once: the first insert wins.
    template_model.objects.bulk_create(missing, ignore_conflicts=True)
    created = len(missing)
    return created


def mail_text_upgrade(
    *, name: str, language: str, replaces: set[str], template_model=MailTemplate
) -> bool:
    """Make the shipped text of a mail its newest version, if the current one is an
    earlier shipped text (its body's SHA-256 in `replaces`). A text staff have
    written stays as it is: theirs is the one they chose. For data migrations."""
    current = (
        template_model.objects.filter(name=name, language=language).order_by("-version").first()
    )
    if current is None:
        return False
    if hashlib.sha256(current.body.encode("utf-8")).hexdigest() not in replaces:
        return False
    subject, body = mail_template_defaults()[(name, language)]
    template_model.objects.create(
        name=name, language=language, version=current.version + 1, subject=subject, body=body
    )
    return True


def mail_template_add(*, name: str, language: str, subject: str, body: str) -> MailTemplate:
    """A staff edit: always a new version, so every sent mail names its exact text."""
    with transaction.atomic():
        latest = (
            MailTemplate.objects.select_for_update()
            .filter(name=name, language=language)
            .aggregate(Max("version"))["version__max"]
        )
        return MailTemplate.objects.create(
            name=name, language=language, version=(latest or 0) + 1, subject=subject, body=body
        )


def mail_templates_current() -> dict[tuple[str, str], TemplateVersion]:
    """The newest version of every text, compiled (one query)."""
    rows = list(MailTemplate.objects.order_by("name", "language", "version"))
    if len({(row.name, row.language) for row in rows}) < len(MailName) * len(TemplateLanguage):
        mail_templates_install()
        rows = list(MailTemplate.objects.order_by("name", "language", "version"))
    current = {}
    for row in rows:  # ascending versions: the last one wins
        current[(row.name, row.language)] = TemplateVersion(
            version=row.version, subject=MailText(row.subject), body=MailText(row.body)
        )
    return current


def mail_renderer(*, now: datetime) -> MailRenderer:
    return MailRenderer(templates=mail_templates_current(), now=now)


def outbox_row(
    *,
    name: str,
    step: int = 0,
    language: str,
    contact: Contact | None,
    recipient: str,
    rendered: Rendered,
    now: datetime,
) -> Outbox:
    """An unsaved outbox row; callers bulk-create them inside their transaction."""
    return Outbox(
        name=name,
        step=step,
        language=language,
        text_version=rendered.text_version,
        contact=contact,
        recipient=recipient,
        message_id=rendered.message_id,
        message=rendered.message,
        state=OutboxState.PENDING,
        next_attempt_at=now,
        created_at=now,
    )


def outbox_retry(*, ids: list[int]) -> int:
    """Staff: send failed mails again now."""
    return Outbox.objects.filter(
        pk__in=ids, state__in=[OutboxState.FAILED, OutboxState.RETRY]
    ).update(state=OutboxState.RETRY, next_attempt_at=timezone.now(), attempts=0, last_error="")


def outbox_purge(*, now: datetime | None = None) -> int:
    """Finished mails older than the retention keep only metadata (no address, no body)."""
    now = now or timezone.now()
    cutoff = now - settings.ASKFIRST_MAIL_RETENTION
    finished = Outbox.objects.filter(state__in=FINAL_STATES, finished_at__lt=cutoff).exclude(
        message=""
    )
    with transaction.atomic():
        # A mail to an erased person (a deletion confirmation; the worker blanks
        # those as they finish, so only rows from before that): its bytes must
        # leave the database files too. A scrub for the others would cost a
        # VACUUM FULL on PostgreSQL for data the contact row still holds (a
        # deactivated contact's mails were blanked, with a scrub, at deactivation).
        erased = finished.filter(contact__isnull=True).update(
            message="", recipient="", last_error=""
        )
        if erased:
            scrub_schedule()
        return erased + finished.update(message="", recipient="")
