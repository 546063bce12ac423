"""A person's copy of everything held about them (GDPR Art. 15 and 20).

The consent part has two views of the same ledger:

* `consentReceipt`: the current state per purpose, in the field names of the
  Kantara Initiative Consent Receipt (v1.1), which ISO/IEC TS 27560 builds on.
* `consentRecords`: every ledger event as one consent record with the elements of
  ISO/IEC TS 27560:2023 (header, processing, party, event), in camelCase, next to
  the Kantara-style names earlier copies had (kept so readers of those still work).

docs/portal.md ("My copy") maps every field to where it comes from.
"""

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from askfirst.consent.models import Action, Channel, ConsentEvent, ConsentState, Purpose
from askfirst.contacts.models import PERSONAL_FIELDS, Contact
from askfirst.mail.models import Outbox
from askfirst.portal.models import EmailChange, PortalLogin

RECEIPT_VERSION = "KI-CR-v1.1.0"
# Names this rendering, not DPV's JSON-LD profile (dpv-27560:record): claiming that
# profile would promise its keys and vocabulary, which these records do not use.
RECORD_SCHEMA = "askfirst-27560-record/1"
FORMAT = "askfirst-copy/1"
JURISDICTION = "EU (GDPR)"
CONTROLLER_ID = "controller"
PURPOSE_CATEGORY = {
    "storage": "Core Function",
    "newsletter": "Marketing",
    "tracking": "Personalisation",
    "extranet": "Sharing with other customers",
}
# In askfirst every answer is given per purpose by the person: a button in a mail
# page or the portal, or told to staff, who must note how (consent_record refuses
# a staff event without one). Answers from the API or an import are taken as
# given the same way; their `evidence` names where they came from.
CONSENT_TYPE = "explicit"
# Who acted in askfirst: the person through a personal link or the portal; on
# every other channel the controller recorded an answer given elsewhere (the
# event's `evidence` says where).
BY_PRINCIPAL = {Channel.MAIL_LINK, Channel.PORTAL}


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _controller() -> dict[str, str]:
    return {
        "piiController": settings.ASKFIRST_COMPANY_NAME,
        "address": settings.ASKFIRST_COMPANY_ADDRESS,
        "email": settings.ASKFIRST_PRIVACY_CONTACT,
        "contact": settings.ASKFIRST_PRIVACY_CONTACT,
        "piiControllerUrl": settings.SITE_URL,
    }


def _controller_party() -> dict[str, str]:
    return {
        "partyId": CONTROLLER_ID,
        "partyRole": "PII controller",
        "partyName": settings.ASKFIRST_COMPANY_NAME,
        "partyAddress": settings.ASKFIRST_COMPANY_ADDRESS,
        "partyContact": settings.ASKFIRST_PRIVACY_CONTACT,
        "partyEmail": settings.ASKFIRST_PRIVACY_CONTACT,
        "partyUrl": settings.SITE_URL,
    }


def _termination() -> str:
    return _(
        "Withdraw at any time in the portal or by mail; withdrawing storage and "
        "processing ends the other purposes too."
    )


def _third_parties(purpose: Purpose) -> list[dict[str, str]]:
    if purpose.key != "extranet":
        return []
    return [{"partyRole": "Third party", "partyName": _("other customers in the extranet")}]


def _event_state(action: str, granted_before: bool) -> str:
    """The ledger says granted or withdrawn; TS 27560 (and DPV's ConsentStatus)
    tells a withdrawal of a consent that stood from a "no" where none stood."""
    if action == Action.GRANTED:
        return "given"
    return "withdrawn" if granted_before else "refused"


def _processing(purpose: Purpose, language: str, keys: dict[int, str]) -> dict[str, Any]:
    return {
        "purposeId": purpose.key,
        "purpose": purpose.name(language),
        "purposeType": PURPOSE_CATEGORY.get(purpose.key, purpose.key),
        "lawfulBasis": "eu-gdpr:A6-1-a",
        "lawfulBasisName": _("Consent (GDPR Art. 6(1)(a))"),
        "requires": keys.get(purpose.requires_id) if purpose.requires_id else None,
        "processingDuration": "until-withdrawn",
        "recipientThirdParties": _third_parties(purpose),
        "withdrawalMethod": {
            "url": settings.SITE_URL + reverse("portal:consent"),
            "description": _termination(),
        },
    }


def _event(
    event: ConsentEvent,
    *,
    contact: Contact,
    language: str,
    receipt_id: str,
    granted_before: bool,
    keys: dict[int, str],
) -> dict[str, Any]:
    text = event.text
    by_principal = event.channel in BY_PRINCIPAL
    return {
        # The Kantara-style fields of earlier copies, unchanged.
        "recordId": event.hash,
        "sequence": event.seq,
        "purpose": event.purpose.key,
        "purposeName": event.purpose.name(language),
        "state": event.action,
        "consentTimestamp": _time(event.occurred_at),
        "collectionMethod": event.channel,
        "language": event.language,
        "notice": {
            "noticeId": text.pk if text else None,
            "textVersion": text.version if text else None,
            "textLanguage": text.language if text else None,
            "textSha256": event.text_hash or None,
            # The words themselves, so the person can read what they answered and
            # check them against the hash.
            "text": text.body if text else None,
        },
        "byStaff": event.staff_user_id is not None,
        "evidence": event.evidence,
        "ipPrefix": event.ip_prefix,
        "previousRecordHash": event.prev_hash,
        # ISO/IEC TS 27560: header.
        "schemaVersion": RECORD_SCHEMA,
        "receiptId": receipt_id,
        "piiPrincipalId": contact.email,
        "jurisdiction": JURISDICTION,
        # Processing: the one purpose the event answered.
        "purposes": [_processing(event.purpose, language, keys)],
        # Party.
        "piiControllers": [_controller_party()],
        # Event: one per record, as each ledger event is one decision.
        "event": [
            {
                "eventTime": _time(event.occurred_at),
                "eventType": CONSENT_TYPE,
                "eventState": _event_state(event.action, granted_before),
                "eventMethod": event.channel,
                "eventBy": (
                    {"role": "PII principal", "id": contact.email}
                    if by_principal
                    else {"role": "PII controller", "id": CONTROLLER_ID}
                ),
                # askfirst's consents have no end date: a "yes" lasts until withdrawn.
                "validityDuration": "until-withdrawn" if event.action == Action.GRANTED else None,
            }
        ],
        "recordRetention": _("Kept as proof of your answer until your profile is deleted."),
    }


def _records(
    contact: Contact, events: list[ConsentEvent], language: str, receipt_id: str
) -> list[dict[str, Any]]:
    keys = dict(Purpose.objects.values_list("pk", "key"))
    granted: dict[int, bool] = {}
    records = []
    for event in events:  # in ledger order: each state follows from the one before
        records.append(
            _event(
                event,
                contact=contact,
                language=language,
                receipt_id=receipt_id,
                granted_before=granted.get(event.purpose_id, False),
                keys=keys,
            )
        )
        granted[event.purpose_id] = event.action == Action.GRANTED
    return records


def _receipt_id(contact: Contact) -> str:
    # Stable for one state of the ledger: the same chain head, the same receipt.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{contact.pk}:{contact.ledger_head}"))


def _receipt(
    contact: Contact, events: list[ConsentEvent], now: datetime, language: str
) -> dict[str, Any]:
    states = {
        state.purpose_id: state
        for state in ConsentState.objects.filter(contact=contact).select_related(
            "event", "event__text"
        )
    }
    purposes = []
    for purpose in Purpose.objects.all():
        state = states.get(purpose.pk)
        purposes.append(
            {
                "purpose": purpose.name(language),
                "purposeKey": purpose.key,
                "purposeCategory": [PURPOSE_CATEGORY.get(purpose.key, purpose.key)],
                "consentType": "EXPLICIT",
                "piiCategory": ["Contact details", "Interests"],
                "primaryPurpose": purpose.requires_id is None,
                "requires": purpose.requires.key if purpose.requires else None,
                "state": (
                    "granted" if state and state.granted else "withdrawn" if state else "not given"
                ),
                "consentTimestamp": _time(state.updated_at) if state else None,
                "collectionMethod": state.event.channel if state else None,
                "textVersion": state.event.text.version if state and state.event.text else None,
                # The consent record (in consentRecords) the current state comes from.
                "recordId": state.event.hash if state else None,
                "termination": _termination(),
                "thirdPartyDisclosure": purpose.key == "extranet",
                "thirdPartyName": _("other customers in the extranet")
                if purpose.key == "extranet"
                else None,
            }
        )
    last = events[-1] if events else None
    return {
        "version": RECEIPT_VERSION,
        "jurisdiction": JURISDICTION,
        "consentTimestamp": int(last.occurred_at.timestamp()) if last else None,
        "collectionMethod": last.channel if last else None,
        "consentReceiptID": _receipt_id(contact),
        "language": language,
        "piiPrincipalId": contact.email,
        "piiControllers": [_controller()],
        "policyUrl": settings.SITE_URL,
        "services": [{"service": "askfirst consent", "purposes": purposes}],
        "sensitive": False,
        "spiCat": [],
        "issuedAt": _time(now),
    }


def portal_copy(
    *, contact: Contact, language: str = "", now: datetime | None = None
) -> dict[str, Any]:
    """Everything held about the person; the words in it (purpose names, the
    receipt's texts) in `language`, else the person's portal or mail language.
    Keys (`purposeKey`, a record's `purpose`) stay the same in every language."""
    now = now or timezone.now()
    language = language or contact.portal_language or contact.mail_language[:2] or "en"
    with translation.override(language):
        return _copy(contact, language, now)


def _copy(contact: Contact, language: str, now: datetime) -> dict[str, Any]:
    events = list(
        ConsentEvent.objects.filter(contact=contact)
        .select_related("purpose", "text")
        .order_by("seq")
    )
    login = PortalLogin.objects.filter(contact=contact).first()
    return {
        "format": FORMAT,
        "generatedAt": _time(now),
        "controller": _controller(),
        "person": {
            "email": contact.email,
            **{name: getattr(contact, name) for name in PERSONAL_FIELDS},
            "kind": contact.kind,
            "status": contact.status,
            "source": contact.source,
            "sourceRef": contact.source_ref,
            "sourceLanguage": contact.source_language,
            "mailLanguage": contact.mail_language,
            "portalLanguage": contact.portal_language,
            "createdAt": _time(contact.created_at),
            "updatedAt": _time(contact.updated_at),
            "askingSince": _time(contact.asking_since),
            "mailsSentInConsentRequest": contact.lifecycle_step,
            "interests": [
                {"key": t.key, "de": t.label_de, "en": t.label_en} for t in contact.topics.all()
            ],
            "extranetFields": list(contact.extranet_fields),
        },
        "consentReceipt": _receipt(contact, events, now, language),
        "consentRecords": _records(contact, events, language, _receipt_id(contact)),
        "mails": [
            {
                "mail": mail.name,
                "language": mail.language,
                "textVersion": mail.text_version,
                "recipient": mail.recipient,
                "state": mail.state,
                "createdAt": _time(mail.created_at),
                "sentAt": _time(mail.sent_at),
            }
            for mail in Outbox.objects.filter(contact=contact).order_by("created_at", "pk")
        ],
        "portalLogin": {
            "passwordSet": bool(login and login.has_password),
            "passwordSetAt": _time(login.password_set_at) if login else None,
        },
        "pendingAddressChange": [
            {"newEmail": change.new_email, "expiresAt": _time(change.expires_at)}
            for change in EmailChange.objects.filter(contact=contact)
        ],
    }
