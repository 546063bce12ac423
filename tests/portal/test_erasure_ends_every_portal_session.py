"""Deleting from one portal session removes the person's other sessions from the session
table at once, not when they expire."""

import pytest
from django.test import Client

from askfirst.contacts.services import contact_erase
from askfirst.portal.models import PortalSession
from tests.factories import make_contact
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db


def test_the_other_sessions_row_is_gone(person):
    laptop, phone, stranger = Client(), Client(), Client()
    enter(laptop, person)
    enter(phone, person)
    enter(stranger, make_contact(email="someone.else@example.org"))
    phone_key = phone.session.session_key
    stranger_key = stranger.session.session_key
    assert PortalSession.objects.filter(pk=phone_key).exists()

    assert laptop.post("/portal/delete/", {"confirm": "yes"}).status_code == 200
    assert not PortalSession.objects.filter(pk=phone_key).exists()
    assert PortalSession.objects.filter(pk=stranger_key).exists()  # only this person's


def test_erasure_by_staff_or_expiry_too(person):
    phone = Client()
    enter(phone, person)
    phone_key = phone.session.session_key
    contact_erase(contact=person)
    assert not PortalSession.objects.filter(pk=phone_key).exists()
