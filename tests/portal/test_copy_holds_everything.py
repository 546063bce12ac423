"""My copy: everything held, as JSON, consent as a Kantara-style receipt."""

import json
import uuid

import pytest
from django.conf import settings

from askfirst.consent.models import ConsentEvent
from askfirst.consent.services import Proof, consent_record
from askfirst.contacts.models import Topic
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db


def test_download(client, person):
    topic = Topic.objects.create(key="events", label_de="Veranstaltungen", label_en="Events")
    person.topics.add(topic)
    person.extranet_fields = ["city"]
    person.save()
    consent_record(
        contact=person, purpose_key="storage", granted=True, proof=Proof(channel="mail_link")
    )
    enter(client, person)
    client.post("/portal/link/", {"email": person.email})  # a mail we wrote

    response = client.get("/portal/copy/download/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)

    assert data["person"]["email"] == person.email
    assert data["person"]["first_name"] == "Anna"
    assert data["person"]["city"] == "Köln"
    assert data["person"]["interests"] == [
        {"key": "events", "de": "Veranstaltungen", "en": "Events"}
    ]
    assert data["person"]["extranetFields"] == ["city"]

    receipt = data["consentReceipt"]
    (event,) = ConsentEvent.objects.filter(contact=person)
    assert receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["jurisdiction"] == "EU (GDPR)"
    assert receipt["consentTimestamp"] == int(event.occurred_at.timestamp())
    assert receipt["collectionMethod"] == "mail_link"
    assert uuid.UUID(receipt["consentReceiptID"]).version == 5
    assert receipt["piiPrincipalId"] == person.email
    assert receipt["piiControllers"] == [
        {
            "piiController": settings.ASKFIRST_COMPANY_NAME,
            "address": settings.ASKFIRST_COMPANY_ADDRESS,
            "email": settings.ASKFIRST_PRIVACY_CONTACT,
            "contact": settings.ASKFIRST_PRIVACY_CONTACT,
            "piiControllerUrl": settings.SITE_URL,
        }
    ]
    assert receipt["piiControllers"][0] == data["controller"]
    assert receipt["services"][0]["service"] == "askfirst consent"
    purposes = {p["purposeKey"]: p for p in receipt["services"][0]["purposes"]}
    assert set(purposes) == {"storage", "newsletter", "tracking", "extranet"}
    assert purposes["storage"]["state"] == "granted"
    assert purposes["newsletter"]["state"] == "not given"
    for purpose in purposes.values():
        assert purpose["consentType"] == "EXPLICIT"
        assert purpose["purposeCategory"] and purpose["termination"]

    (record,) = data["consentRecords"]
    assert record["purpose"] == "storage" and record["state"] == "granted"
    assert record["collectionMethod"] == "mail_link"
    assert record["recordId"] == event.hash == purposes["storage"]["recordId"]
    assert [m["mail"] for m in data["mails"]] == ["portal"]
    assert data["portalLogin"] == {"passwordSet": False, "passwordSetAt": None}
