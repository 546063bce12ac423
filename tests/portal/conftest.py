"""Getting a person into the portal the way a mail link does."""

import re
import secrets
from datetime import timedelta

import pytest
from django.utils import timezone

from askfirst.lifecycle.models import LinkToken, TokenPurpose
from askfirst.lifecycle.services import token_expiry, token_hash
from askfirst.mail.models import Outbox
from askfirst.mail.services import mail_templates_install
from tests.factories import make_contact

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
PORTAL_LINK = re.compile(r"/portal/enter/([A-Za-z0-9_-]+)/|/l/([A-Za-z0-9_-]+)/")


@pytest.fixture(autouse=True)
def _portal_settings(settings):
    settings.ASKFIRST_PORTAL_LINK_FLOOR = 0.0
    # Throttles are exercised in their own tests; elsewhere they must not bite.
    settings.ASKFIRST_PORTAL_LINK_LIMIT_ADDRESS = (1000, timedelta(hours=1))
    settings.ASKFIRST_PORTAL_LINK_LIMIT_IP = (1000, timedelta(hours=1))


def issue_link(contact, *, purpose=TokenPurpose.PORTAL, age=timedelta(0), language="en") -> str:
    """A mail link as the lifecycle writes it: only its SHA-256 is stored."""
    token = secrets.token_urlsafe(32)
    issued = timezone.now() - age
    LinkToken.objects.create(
        token_hash=token_hash(token),
        purpose=purpose,
        contact=contact,
        language=language,
        created_at=issued,
        expires_at=token_expiry(start=issued),
    )
    return token


def enter(client, contact, **kwargs):
    token = issue_link(contact, **kwargs)
    response = client.get(f"/portal/enter/{token}/")
    assert response.status_code == 302, response.content
    return token


def outbox_mails(name: str, recipient: str | None = None) -> list[Outbox]:
    rows = Outbox.objects.filter(name=name)
    if recipient:
        rows = rows.filter(recipient=recipient)
    return list(rows.order_by("pk"))


def decoded(mail: Outbox) -> str:
    import email
    import email.policy

    message = email.message_from_string(mail.message, policy=email.policy.default)
    return message.get_body(("plain",)).get_content()


def strip_csrf(content: bytes) -> bytes:
    return CSRF.sub(b'name="csrfmiddlewaretoken" value=""', content)


@pytest.fixture
def person(db):
    mail_templates_install()
    return make_contact(
        email="anna.beispiel@example.org", first_name="Anna", last_name="Beispiel", city="Köln"
    )
