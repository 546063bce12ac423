"""Interests are staff topics to tick; history lists every consent event of the person."""

import pytest

from askfirst.consent.models import Purpose
from askfirst.consent.services import Proof, consent_record, consent_text_current
from askfirst.contacts.models import Topic
from tests.factories import make_contact
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db


def test_interests(client, person):
    events = Topic.objects.create(key="events", label_de="Veranstaltungen", label_en="Events")
    Topic.objects.create(key="news", label_de="Neuigkeiten", label_en="News")
    enter(client, person)
    page = client.get("/portal/interests/").content.decode()
    assert "Events" in page and "News" in page and "checked" not in page
    assert client.post("/portal/interests/", {"topics": [events.pk]}).status_code == 303
    assert list(person.topics.all()) == [events]
    assert client.post("/portal/interests/", {}).status_code == 303
    assert not person.topics.exists()


def test_history(client, person):
    other = make_contact()
    consent_record(contact=other, purpose_key="storage", granted=True, proof=Proof(channel="api"))
    consent_record(
        contact=person, purpose_key="storage", granted=True, proof=Proof(channel="mail_link")
    )
    enter(client, person)
    newsletter = Purpose.objects.get(key="newsletter")
    text = consent_text_current(purpose=newsletter, language="en")
    response = client.post(
        "/portal/consent/",
        {"purpose": "newsletter", "decision": "grant", "text": text.pk if text else ""},
    )
    assert response.status_code == 303
    page = client.get("/portal/history/").content.decode()
    assert page.count("<tr>") == 3  # header + two events of this person only
    assert "Mail link" in page and "Portal" in page
    assert "Storage and processing" in page and "Email newsletter" in page
