"""The portal's own mails, written to the shared outbox.

They are named mails of the mail app (`MailName`), with staff-editable, versioned
texts like the consent-request mails (docs/mail.md): each is rendered with the
current version and the outbox row records it.
"""

from datetime import datetime

from django.conf import settings

from askfirst.contacts.models import Contact
from askfirst.mail.models import MailName, Outbox
from askfirst.mail.render import mail_greeting
from askfirst.mail.services import mail_renderer, outbox_row

EMAIL_CONFIRM = MailName.EMAIL_CONFIRM  # to the new address: confirm it
EMAIL_CHANGED = MailName.EMAIL_CHANGED  # to the old address: it was replaced
PASSWORD_CHANGED = MailName.PASSWORD_CHANGED  # a password was set or changed


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
    renderer = mail_renderer(now=now)
    values = {
        "greeting": mail_greeting(name=contact.full_name, language=language),
        **renderer.sender,
        "portal_url": f"{settings.SITE_URL}/portal/start/",
        **(extra or {}),
    }
    rendered = renderer.render(
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
