"""The portal's own mails, written to the shared outbox.

The mail app knows only the consent-request mails (its MailName choices and
staff-editable MailTemplate rows), so these three texts live as files here and
go through its renderer and `outbox_row`; see docs/portal.md for moving them.
"""

from datetime import datetime
from pathlib import Path
from string import Template

from django.conf import settings

from askfirst.contacts.models import Contact
from askfirst.mail.models import Outbox
from askfirst.mail.render import MailRenderer, TemplateVersion
from askfirst.mail.services import outbox_row

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "portal" / "emails"
EMAIL_CONFIRM = "email_confirm"  # to the new address: confirm it
EMAIL_CHANGED = "email_changed"  # to the old address: it was replaced
PASSWORD_CHANGED = "password_changed"  # a password was set or changed
NAMES = (EMAIL_CONFIRM, EMAIL_CHANGED, PASSWORD_CHANGED)


def _templates() -> dict[tuple[str, str], TemplateVersion]:
    found = {}
    for name in NAMES:
        for language in ("de", "en"):
            subject = (TEMPLATE_DIR / f"{name}.{language}.subject.txt").read_text("utf-8")
            body = (TEMPLATE_DIR / f"{name}.{language}.txt").read_text("utf-8")
            found[(name, language)] = TemplateVersion(
                version=1, subject=Template(subject.strip()), body=Template(body)
            )
    return found


def portal_mail_write(
    *,
    name: str,
    contact: Contact,
    recipient: str,
    language: str,
    now: datetime,
    extra: dict[str, str] | None = None,
) -> Outbox:
    """Render one portal mail and save it to the outbox (inside the caller's transaction)."""
    language = language if language in {"de", "en"} else "en"
    name_text = contact.full_name
    greeting = (
        (f"Guten Tag {name_text}" if name_text else "Guten Tag")
        if language == "de"
        else (f"Dear {name_text}" if name_text else "Hello")
    )
    values = {
        "greeting": greeting,
        "company": settings.ASKFIRST_COMPANY_NAME,
        "company_address": settings.ASKFIRST_COMPANY_ADDRESS,
        "privacy_contact": settings.ASKFIRST_PRIVACY_CONTACT,
        "portal_url": f"{settings.SITE_URL}/portal/start/",
        **(extra or {}),
    }
    rendered = MailRenderer(templates=_templates(), now=now).render(
        name=name,
        language=language,
        recipient=recipient,
        contexts={language: values},
        unsubscribe_url=None,
    )
    row = outbox_row(
        name=name,
        language=language,
        contact=contact,
        recipient=recipient,
        rendered=rendered,
        now=now,
    )
    row.save()
    return row
