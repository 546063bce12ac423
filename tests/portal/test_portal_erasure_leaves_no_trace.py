"""Deleting oneself in the portal: the session ends and nothing of the person remains,
in any table or in the SQLite files (portal rows and counters included)."""

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.utils import timezone

from askfirst.consent.models import ConsentEvent, Purpose
from askfirst.consent.services import consent_text_current
from askfirst.contacts.models import Contact, ErasureCount, Topic
from askfirst.mail.services import mail_templates_install
from askfirst.portal.models import PortalLogin, Throttle
from tests.erasure import rows_containing, sqlite_files_containing
from tests.factories import make_contact
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "kunigunde.vergessmich@erase-portal.example"
NEEDLES = [EMAIL, "Kunigunde", "Vergessmichnicht", "Schraubenwerk Ost", "kunigunde.neu@erase"]


def test_delete_from_the_portal_forgets_everything():
    mail_templates_install()
    survivor = make_contact(first_name="Otto")
    contact = make_contact(
        email=EMAIL,
        first_name="Kunigunde",
        last_name="Vergessmichnicht",
        company="Schraubenwerk Ost",
    )
    contact.topics.add(Topic.objects.create(key="t", label_de="T", label_en="T"))
    PortalLogin.objects.create(contact=contact, password_hash=make_password("x" * 20))
    client = Client()
    enter(client, contact)
    text = consent_text_current(purpose=Purpose.objects.get(key="storage"), language="en")
    client.post(
        "/portal/consent/",
        {"purpose": "storage", "decision": "grant", "text": text.pk if text else ""},
    )
    assert ConsentEvent.objects.filter(contact=contact).exists()
    client.post("/portal/link/", {"email": EMAIL})  # a portal mail and throttle counters
    client.post("/portal/login/", {"email": EMAIL, "password": "wrong" * 4})
    client.post("/portal/email/", {"new_email": "kunigunde.neu@erase-portal.example"})
    assert rows_containing(NEEDLES)
    assert Throttle.objects.exists()

    page = client.get("/portal/delete/")
    assert page.status_code == 200
    response = client.post("/portal/delete/", {"confirm": "yes"})
    assert response.status_code == 200
    assert b"deleted" in response.content

    assert rows_containing(NEEDLES) == []
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert Contact.objects.filter(pk=survivor.pk).exists()
    assert not PortalLogin.objects.exists()
    assert ErasureCount.objects.get(day=timezone.localdate()).count == 1
    # The session is gone too.
    assert client.get("/portal/").status_code == 302
    if connection.vendor == "sqlite":
        assert sqlite_files_containing(NEEDLES) == []


def test_delete_needs_the_confirmation_tick():
    contact = make_contact()
    client = Client()
    enter(client, contact)
    assert client.post("/portal/delete/", {}).status_code == 400
    assert Contact.objects.filter(pk=contact.pk).exists()
