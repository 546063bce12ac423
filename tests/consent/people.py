"""Personas for the ledger tests."""

from askfirst.consent.services import Proof, consent_record
from tests.factories import make_contact

PORTAL = Proof(channel="portal", language="de")


def person_who_withdrew():
    """storage, newsletter and tracking granted, then newsletter withdrawn."""
    contact = make_contact()
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    consent_record(contact=contact, purpose_key="newsletter", granted=True, proof=PORTAL)
    consent_record(contact=contact, purpose_key="tracking", granted=True, proof=PORTAL)
    consent_record(contact=contact, purpose_key="newsletter", granted=False, proof=PORTAL)
    return contact
