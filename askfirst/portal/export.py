"""A person's copy of everything held about them (GDPR Art. 15 and 20).

The consent part follows the Kantara Initiative Consent Receipt (v1.1) field
names, which ISO/IEC TS 27560 builds on: one receipt with the controller, the
subject, and per purpose its consent type, category, state and termination;
plus every ledger event as an individual record.
"""

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from askfirst.consent.models import ConsentEvent, ConsentState, Purpose
from askfirst.contacts.models import PERSONAL_FIELDS, Contact
from askfirst.mail.models import Outbox
from askfirst.portal.models import EmailChange, PortalLogin

RECEIPT_VERSION = "KI-CR-v1.1.0"
FORMAT = "askfirst-copy/1"
PURPOSE_CATEGORY = {
    "storage": "Core Function",
    "newsletter": "Marketing",
    "tracking": "Personalisation",
    "extranet": "Sharing with other customers",
}


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


def _event(event: ConsentEvent, language: str) -> dict[str, Any]:
    return {
        "recordId": event.hash,
        "sequence": event.seq,
        "purpose": event.purpose.key,
        "purposeName": event.purpose.name(language),
        "state": event.action,
        "consentTimestamp": _time(event.occurred_at),
        "collectionMethod": event.channel,
        "language": event.language,
        "notice": {
            "textVersion": event.text.version if event.text else None,
            "textLanguage": event.text.language if event.text else None,
            "textSha256": event.text_hash or None,
        },
        "byStaff": event.staff_user_id is not None,
        "evidence": event.evidence,
        "ipPrefix": event.ip_prefix,
        "previousRecordHash": event.prev_hash,
    }


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
                "termination": _(
                    "Withdraw at any time in the portal or by mail; withdrawing storage and "
                    "processing ends the other purposes too."
                ),
                "thirdPartyDisclosure": purpose.key == "extranet",
                "thirdPartyName": _("other customers in the extranet")
                if purpose.key == "extranet"
                else None,
            }
        )
    last = events[-1] if events else None
    return {
        "version": RECEIPT_VERSION,
        "jurisdiction": "EU (GDPR)",
        "consentTimestamp": int(last.occurred_at.timestamp()) if last else None,
        "collectionMethod": last.channel if last else None,
        # Stable for one state of the ledger: the same chain head, the same receipt.
        "consentReceiptID": str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"{contact.pk}:{contact.ledger_head}")
        ),
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
        "consentRecords": [_event(event, language) for event in events],
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
