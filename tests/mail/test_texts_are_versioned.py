"""Staff edit mail texts in the admin without a code change; an edit is a new
version, and each outbox row names the version it used."""

import pytest

from askfirst.lifecycle.services import lifecycle_advance
from askfirst.mail.models import MailTemplate, Outbox
from tests.factories import make_staff
from tests.lifecycle.helpers import asking_contact

pytestmark = pytest.mark.django_db


def test_admin_edit_adds_a_version_used_by_the_next_mail(client):
    asking_contact(language="de")
    client.force_login(make_staff())  # after: make_staff resets the password
    lifecycle_advance()
    assert Outbox.objects.get().text_version == "de:1"

    v1 = MailTemplate.objects.get(name="request", language="de", version=1)
    response = client.post(
        f"/admin/mail/mailtemplate/{v1.pk}/change/",
        {
            "subject": "Neu: Dürfen wir? ($company)",
            "body": "$greeting,\n\nneuer Text.\n$yes_url\n$deactivate_url\n$portal_url\n",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "login" not in response["Location"], response["Location"]
    v1.refresh_from_db()
    assert v1.subject.startswith("Ihre Daten")  # the old version is unchanged
    assert MailTemplate.objects.filter(name="request", language="de").count() == 2

    asking_contact(language="de")
    lifecycle_advance()
    newest = Outbox.objects.order_by("-id").first()
    assert newest.text_version == "de:2"
    assert "neuer Text" in newest.message


def test_admin_lists_load(client):
    asking_contact(language="en")
    client.force_login(make_staff())
    lifecycle_advance()
    for url in (
        "/admin/mail/outbox/",
        "/admin/mail/outbox/?state__exact=failed",
        "/admin/mail/bounce/",
        "/admin/mail/mailtemplate/",
        "/admin/mail/demomail/",
        "/admin/lifecycle/linktoken/",
        f"/admin/mail/outbox/{Outbox.objects.get().pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
