"""Deactivating by mail link or by staff closes the portal as the portal's own button does:
the address waiting for confirmation, the password and every portal session go."""

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client

from askfirst.contacts.models import Status
from askfirst.lifecycle.links import link_act, link_find
from askfirst.lifecycle.models import TokenPurpose
from askfirst.portal.access import CONTACT
from askfirst.portal.models import EmailChange, PortalLogin, PortalSession
from askfirst.portal.session_store import SessionStore
from tests.factories import make_staff
from tests.portal.conftest import enter, issue_link

pytestmark = pytest.mark.django_db


def _sessions_of(contact) -> list[str]:
    return [
        row.session_key
        for row in PortalSession.objects.all()
        if SessionStore().decode(row.session_data).get(CONTACT) == contact.pk
    ]


@pytest.fixture
def phone(person) -> Client:
    """A portal session with a password set and a new address waiting for its link."""
    phone = Client()
    enter(phone, person)
    PortalLogin.objects.filter(contact=person).update(
        password_hash=make_password("a long enough passphrase")
    )
    assert phone.post("/portal/email/", {"new_email": "anna.neu@example.net"}).status_code == 303
    assert EmailChange.objects.filter(contact=person).exists()
    assert _sessions_of(person)
    return phone


def _closed(person, phone) -> None:
    person.refresh_from_db()
    assert person.status == Status.DEACTIVATED
    assert not EmailChange.objects.filter(contact=person).exists()
    assert PortalLogin.objects.get(contact=person).password_hash == ""
    assert _sessions_of(person) == []
    assert phone.get("/portal/").status_code == 302


def test_the_deactivate_link_in_a_mail(person, phone):
    link = link_find(token=issue_link(person, purpose=TokenPurpose.DEACTIVATE))
    assert link_act(link=link, action=TokenPurpose.DEACTIVATE, language="de") == "deactivated"
    _closed(person, phone)


def test_staff_deactivating_in_the_admin(person, phone):
    staff = Client()
    staff.force_login(make_staff())
    response = staff.post(
        "/admin/contacts/contact/",
        {"action": "deactivate", "_selected_action": [person.pk], "post": "yes"},
    )
    assert response.status_code == 302
    _closed(person, phone)
