"""Every portal POST without a CSRF token is refused with 403 and changes nothing."""

import pytest
from django.test import Client

from askfirst.consent.models import ConsentEvent
from askfirst.contacts.models import Contact
from askfirst.mail.models import Outbox
from tests.factories import make_contact
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db

POSTS = {
    "/portal/link/": {"email": "someone@example.org"},
    "/portal/login/": {"email": "someone@example.org", "password": "x" * 20},
    "/portal/logout/": {},
    "/portal/language/": {"language": "de"},
    "/portal/fresh/": {"how": "link"},
    "/portal/data/": {"first_name": "Changed"},
    "/portal/email/": {"new_email": "new@example.org"},
    "/portal/consent/": {"purpose": "storage", "decision": "grant", "text": ""},
    "/portal/interests/": {},
    "/portal/password/": {"password": "a long passphrase here", "password_again": "x"},
    "/portal/deactivate/": {},
    "/portal/delete/": {"confirm": "yes"},
}


def test_posts_without_csrf_token_are_forbidden():
    contact = make_contact(first_name="Original")
    client = Client(enforce_csrf_checks=True)
    enter(client, contact)
    client.get("/portal/data/")  # sets the CSRF cookie; the form token is left out below
    for url, data in POSTS.items():
        response = client.post(url, data)
        assert response.status_code == 403, url
    contact.refresh_from_db()
    assert contact.first_name == "Original"
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert not ConsentEvent.objects.exists()
    assert not Outbox.objects.exists()
    assert client.get("/portal/").status_code == 200  # still logged in


def test_email_confirmation_post_needs_csrf(db):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/portal/email/confirm/").status_code == 403
