"""A name containing markup is shown as text on every page, never run."""

import pytest

from askfirst.consent.services import Proof, consent_record
from askfirst.contacts.models import Topic
from tests.factories import make_contact
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db

EVIL = '<script>alert("x")</script>'
PAGES = [
    "/portal/",
    "/portal/data/",
    "/portal/email/",
    "/portal/consent/",
    "/portal/interests/",
    "/portal/history/",
    "/portal/copy/",
    "/portal/password/",
    "/portal/leave/",
    "/portal/deactivate/",
    "/portal/delete/",
]


def test_markup_is_escaped_everywhere(client):
    contact = make_contact(first_name=EVIL, last_name=EVIL, company=EVIL, city=EVIL)
    Topic.objects.create(key="evil", label_de=EVIL, label_en=EVIL)
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=Proof(channel="api"))
    enter(client, contact)
    for url in PAGES:
        content = client.get(url).content.decode()
        assert "<script>" not in content, url
    assert "&lt;script&gt;" in client.get("/portal/").content.decode()
    assert "&lt;script&gt;" in client.get("/portal/data/").content.decode()
    assert "&lt;script&gt;" in client.get("/portal/interests/").content.decode()
    # The JSON copy is served as JSON, with the value intact.
    response = client.get("/portal/copy/download/")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["person"]["first_name"] == EVIL


def test_markup_typed_into_the_data_page_is_stored_as_text_and_escaped(client):
    contact = make_contact()
    enter(client, contact)
    client.post("/portal/data/", {"first_name": EVIL})
    contact.refresh_from_db()
    assert contact.first_name == EVIL
    assert "<script>" not in client.get("/portal/data/").content.decode()
