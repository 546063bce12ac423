"""Deactivate: explained, confirmed, then only the address remains and the session ends."""

import pytest

from askfirst.consent.models import ConsentEvent
from askfirst.contacts.models import Status
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db


def test_deactivate(client, person):
    enter(client, person)
    assert b"Yes, deactivate" in client.get("/portal/deactivate/").content
    response = client.post("/portal/deactivate/")
    assert response.status_code == 200
    assert b"deactivated" in response.content
    person.refresh_from_db()
    assert person.status == Status.DEACTIVATED
    assert person.first_name == "" and person.city == ""
    event = ConsentEvent.objects.get(contact=person)
    assert (event.channel, event.action) == ("portal", "withdrawn")
    assert client.get("/portal/").status_code == 302


def test_a_deactivated_person_sees_only_the_notice_and_can_delete(client, person):
    enter(client, person)
    client.post("/portal/deactivate/")
    enter(client, person)
    assert b"Your profile is deactivated" in client.get("/portal/").content
    assert client.get("/portal/consent/").status_code == 302
    assert client.get("/portal/delete/").status_code == 200
