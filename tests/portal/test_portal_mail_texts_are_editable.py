"""The portal's mails are named mails of the mail app: staff edit their texts in
the admin, an edit is a new version, and the next such mail uses and records it."""

import importlib
import re

import pytest
from django.apps import apps

from askfirst.mail.models import MailName, MailTemplate
from askfirst.portal.mails import EMAIL_CHANGED, EMAIL_CONFIRM, PASSWORD_CHANGED
from tests.factories import make_staff
from tests.portal.conftest import decoded, enter, outbox_mails

pytestmark = pytest.mark.django_db

GOOD = "meine katze schläft gern"
PORTAL_NAMES = {EMAIL_CONFIRM, EMAIL_CHANGED, PASSWORD_CHANGED}


def _staff_edit(staff_client, *, name, language, subject, body):
    """Edit the current text in the admin (the change form of its newest version)."""
    current = MailTemplate.objects.filter(name=name, language=language).order_by("-version")[0]
    response = staff_client.post(
        f"/admin/mail/mailtemplate/{current.pk}/change/", {"subject": subject, "body": body}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "login" not in response["Location"], response["Location"]


def test_seeded_as_version_1_from_the_files(person):
    for name in PORTAL_NAMES:
        assert name in MailName.values
        for language in ("de", "en"):
            text = MailTemplate.objects.get(name=name, language=language)
            assert text.version == 1 and text.subject and "$greeting" in text.body


def test_password_mail_uses_the_staff_edited_text(client, person):
    enter(client, person)
    assert (
        client.post("/portal/password/", {"password": GOOD, "password_again": GOOD}).status_code
        == 303
    )
    (first,) = outbox_mails(PASSWORD_CHANGED, person.email)
    assert first.text_version == "en:1"
    assert "Your portal password was set" in first.message

    staff = type(client)()
    staff.force_login(make_staff())
    _staff_edit(
        staff,
        name=PASSWORD_CHANGED,
        language="en",
        subject="New password at $company",
        body="$greeting,\n\nthe edited password text.\n",
    )
    assert MailTemplate.objects.get(name=PASSWORD_CHANGED, language="en", version=1).subject == (
        "Your portal password was set"  # the old version is unchanged
    )

    enter(client, person)
    again = GOOD + " und mehr"
    assert (
        client.post("/portal/password/", {"password": again, "password_again": again}).status_code
        == 303
    )
    first_again, second = outbox_mails(PASSWORD_CHANGED, person.email)
    assert first_again.text_version == "en:1"
    assert second.text_version == "en:2"
    assert "the edited password text." in decoded(second)
    assert "Dear Anna Beispiel" in decoded(second)
    assert "Your portal password was set" not in second.message


def test_address_confirmation_uses_the_staff_edited_text(client, person):
    staff = type(client)()
    staff.force_login(make_staff())
    _staff_edit(
        staff,
        name=EMAIL_CONFIRM,
        language="en",
        subject="Confirm your address",
        body="$greeting,\n\nedited: open $confirm_url before $link_expiry.\n",
    )
    enter(client, person)
    assert client.post("/portal/email/", {"new_email": "anna.neu@example.net"}).status_code == 303
    (mail,) = outbox_mails(EMAIL_CONFIRM, "anna.neu@example.net")
    assert mail.text_version == "en:2"
    text = decoded(mail)
    assert re.search(r"edited: open \S+/portal/email/confirm/[A-Za-z0-9_-]+/ before \S", text)
    assert "$" not in text


def test_admin_lists_and_offers_them(client, person):
    client.force_login(make_staff())
    listing = client.get("/admin/mail/mailtemplate/").content.decode()
    add = client.get("/admin/mail/mailtemplate/add/").content.decode()
    for name in PORTAL_NAMES:
        assert f"?name__exact={name}" in listing  # the filter
        assert f'<option value="{name}"' in add
        assert client.get(f"/admin/mail/mailtemplate/?name__exact={name}").status_code == 200
    for label in ("New address confirmation", "Address changed notice", "Password changed notice"):
        assert label in listing


def test_migration_adds_only_the_missing_texts(person):
    """0004 on a database where 0002 ran before these names existed."""
    MailTemplate.objects.filter(name__in=PORTAL_NAMES).delete()
    MailTemplate.objects.create(
        name=MailName.REQUEST, language="de", version=2, subject="s", body="b"
    )
    before = set(MailTemplate.objects.values_list("pk", flat=True))
    migration = importlib.import_module("askfirst.mail.migrations.0004_portal_mails")
    migration.install(apps, None)
    added = MailTemplate.objects.exclude(pk__in=before)
    assert sorted(added.values_list("name", "language", "version")) == sorted(
        (name, language, 1) for name in PORTAL_NAMES for language in ("de", "en")
    )
    assert MailTemplate.objects.filter(name=MailName.REQUEST, language="de").count() == 2
