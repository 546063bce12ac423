"""A deactivated address is the do-not-contact record: a confirmation link for a new
address, opened after the deactivation, changes nothing."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from askfirst.consent.services import Proof, contact_deactivate
from askfirst.contacts.models import Contact, Status
from askfirst.lifecycle.links import link_act, link_find
from askfirst.lifecycle.models import TokenPurpose
from askfirst.lifecycle.services import token_hash
from askfirst.portal.mails import EMAIL_CONFIRM
from askfirst.portal.models import EmailChange
from askfirst.portal.services import PortalError, portal_email_change_confirm
from tests.portal.conftest import decoded, enter, issue_link, outbox_mails

pytestmark = pytest.mark.django_db

OLD = "anna.beispiel@example.org"
NEW = "anna.neu@example.net"
CONFIRM = re.compile(r"/portal/email/confirm/([A-Za-z0-9_-]+)/")


def test_the_link_from_before_the_deactivation_is_refused(client, person):
    enter(client, person)
    assert client.post("/portal/email/", {"new_email": NEW}).status_code == 303
    token = CONFIRM.search(decoded(outbox_mails(EMAIL_CONFIRM, NEW)[0])).group(1)
    link_act(
        link=link_find(token=issue_link(person, purpose=TokenPurpose.DEACTIVATE)),
        action=TokenPurpose.DEACTIVATE,
        language="en",
    )

    new_mailbox = Client()
    new_mailbox.get(f"/portal/email/confirm/{token}/")
    assert new_mailbox.post("/portal/email/confirm/").status_code in {404, 409}
    person.refresh_from_db()
    assert (person.email, person.email_key, person.status) == (OLD, OLD, Status.DEACTIVATED)


def test_a_change_still_pending_is_refused_at_confirmation(person):
    # One written before deactivations removed them, or racing one.
    contact_deactivate(contact=person, proof=Proof(channel="mail_link", language="en"))
    now = timezone.now()
    change = EmailChange.objects.create(
        contact=person,
        new_email=NEW,
        token_hash=token_hash("t" * 43),
        created_at=now,
        expires_at=now + timedelta(hours=1),
    )
    with pytest.raises(PortalError, match="deactivated"):
        portal_email_change_confirm(change=change, language="en")
    assert Contact.objects.get(pk=person.pk).email == OLD
    assert not EmailChange.objects.exists()
