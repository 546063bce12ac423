"""Each answer in the ledger is one consent record of the copy, with the elements of
ISO/IEC TS 27560 holding what happened: a yes by mail link and a later withdrawal in the
portal are two records with their purpose, time, method, notice and state, the receipt
points at the one that sets the current state, and a "no" without an earlier "yes" is a
refusal, not a withdrawal."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import override_settings

from askfirst.consent.models import ConsentEvent, ConsentText, text_hash
from askfirst.consent.services import Proof, consent_record
from askfirst.contacts.models import Contact
from askfirst.lifecycle.models import TokenPurpose
from tests.factories import make_staff
from tests.portal.conftest import enter, issue_link

pytestmark = pytest.mark.django_db

YES_AT = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
WITHDRAWN_AT = datetime(2026, 3, 5, 18, 30, tzinfo=UTC)
CONTROLLER = {
    "ASKFIRST_COMPANY_NAME": "Muster AG",
    "ASKFIRST_COMPANY_ADDRESS": "Hafenweg 2, 20457 Hamburg",
    "ASKFIRST_PRIVACY_CONTACT": "privacy@muster.example",
    "SITE_URL": "https://consent.muster.example",
}


def _storage_text(language: str) -> ConsentText:
    return (
        ConsentText.objects.filter(purpose__key="storage", language=language)
        .order_by("-version")
        .get()
    )


@override_settings(**CONTROLLER)
def test_a_yes_by_mail_link_and_a_withdrawal_in_the_portal(client, person):
    en, de = _storage_text("en"), _storage_text("de")
    with time_machine.travel(YES_AT, tick=False):
        token = issue_link(person, purpose=TokenPurpose.YES, language="en")
        assert client.post(f"/l/{token}/", {"text": en.pk}).status_code == 200
    with time_machine.travel(WITHDRAWN_AT, tick=False):
        # The person reads the portal in German.
        Contact.objects.filter(pk=person.pk).update(portal_language="de")
        enter(client, person)
        answer = client.post(
            "/portal/consent/", {"purpose": "storage", "decision": "withdraw", "text": de.pk}
        )
        assert answer.status_code == 303
        copy = client.get("/portal/copy/download/").json()

    yes, withdrawal = copy["consentRecords"]
    receipt = copy["consentReceipt"]
    ledger = list(ConsentEvent.objects.filter(contact=person).order_by("seq"))
    controller = {
        "partyId": "controller",
        "partyRole": "PII controller",
        "partyName": "Muster AG",
        "partyAddress": "Hafenweg 2, 20457 Hamburg",
        "partyContact": "privacy@muster.example",
        "partyEmail": "privacy@muster.example",
        "partyUrl": "https://consent.muster.example",
    }
    for record, event in zip([yes, withdrawal], ledger, strict=True):
        assert record["schemaVersion"] == "askfirst-27560-record/1"
        assert record["recordId"] == event.hash
        assert record["receiptId"] == receipt["consentReceiptID"]
        assert record["piiPrincipalId"] == person.email == receipt["piiPrincipalId"]
        assert record["jurisdiction"] == "EU (GDPR)"
        assert record["piiControllers"] == [controller]
        (purpose,) = record["purposes"]
        assert purpose["purposeId"] == record["purpose"] == "storage"
        assert purpose["purpose"] == "Speicherung und Verarbeitung"  # the copy's language
        assert purpose["purposeType"] == "Core Function"
        assert purpose["lawfulBasis"] == "eu-gdpr:A6-1-a"
        assert purpose["lawfulBasisName"] == "Einwilligung (Art. 6 Abs. 1 lit. a DSGVO)"
        assert purpose["requires"] is None
        assert purpose["processingDuration"] == "until-withdrawn"
        assert purpose["recipientThirdParties"] == []
        assert (
            purpose["withdrawalMethod"]["url"] == "https://consent.muster.example/portal/consent/"
        )
        assert purpose["withdrawalMethod"]["description"].startswith("Widerruf")
    assert withdrawal["previousRecordHash"] == yes["recordId"]

    # The yes: pressed on the mail's page, which showed the English text.
    assert (yes["sequence"], yes["state"], yes["collectionMethod"]) == (1, "granted", "mail_link")
    assert yes["consentTimestamp"] == YES_AT.isoformat()
    assert yes["language"] == "en"
    assert yes["notice"] == {
        "noticeId": en.pk,
        "textVersion": en.version,
        "textLanguage": "en",
        "textSha256": text_hash(en.body),
        "text": en.body,
    }
    assert yes["event"] == [
        {
            "eventTime": YES_AT.isoformat(),
            "eventType": "explicit",
            "eventState": "given",
            "eventMethod": "mail_link",
            "eventBy": {"role": "PII principal", "id": person.email},
            "validityDuration": "until-withdrawn",
        }
    ]

    # The withdrawal: pressed in the German portal, with the German text shown.
    assert (withdrawal["sequence"], withdrawal["state"]) == (2, "withdrawn")
    assert withdrawal["collectionMethod"] == "portal"
    assert withdrawal["consentTimestamp"] == WITHDRAWN_AT.isoformat()
    assert withdrawal["language"] == "de"
    assert withdrawal["notice"]["noticeId"] == de.pk
    assert withdrawal["notice"]["textVersion"] == de.version
    assert withdrawal["notice"]["textLanguage"] == "de"
    assert withdrawal["notice"]["textSha256"] == text_hash(de.body)
    assert withdrawal["event"] == [
        {
            "eventTime": WITHDRAWN_AT.isoformat(),
            "eventType": "explicit",
            "eventState": "withdrawn",
            "eventMethod": "portal",
            "eventBy": {"role": "PII principal", "id": person.email},
            "validityDuration": None,
        }
    ]

    # The current state is the withdrawal's, and the receipt says which record set it.
    purposes = {p["purposeKey"]: p for p in receipt["services"][0]["purposes"]}
    assert purposes["storage"]["state"] == "withdrawn"
    assert purposes["storage"]["recordId"] == withdrawal["recordId"]
    assert purposes["storage"]["consentTimestamp"] == WITHDRAWN_AT.isoformat()
    assert purposes["storage"]["collectionMethod"] == "portal"
    assert purposes["storage"]["textVersion"] == de.version
    assert purposes["newsletter"]["state"] == "not given"
    assert purposes["newsletter"]["recordId"] is None
    assert receipt["consentTimestamp"] == int(WITHDRAWN_AT.timestamp())


def test_a_no_without_an_earlier_yes_is_a_refusal(client, person):
    token = issue_link(person, purpose=TokenPurpose.DEACTIVATE, language="en")
    assert client.post(f"/l/{token}/").status_code == 200
    enter(client, person)

    (record,) = client.get("/portal/copy/download/").json()["consentRecords"]

    # The ledger knows only "withdrawn"; nothing stood to be withdrawn.
    assert (record["purpose"], record["state"]) == ("storage", "withdrawn")
    assert record["event"][0]["eventState"] == "refused"
    assert record["event"][0]["validityDuration"] is None


def test_a_staff_record_names_the_controller_as_the_actor(client, person):
    consent_record(
        contact=person,
        purpose_key="storage",
        granted=True,
        proof=Proof(channel="staff", staff_user=make_staff(), evidence="agreed by phone"),
    )
    enter(client, person)

    (record,) = client.get("/portal/copy/download/").json()["consentRecords"]

    assert record["event"][0]["eventBy"] == {"role": "PII controller", "id": "controller"}
    assert record["event"][0]["eventMethod"] == "staff"
    assert (record["byStaff"], record["evidence"]) == (True, "agreed by phone")
