"""The rules of recording consent: dependencies, withdrawal, proof, current state."""

import pytest

from askfirst.consent.models import ConsentEvent, ConsentState
from askfirst.consent.services import ConsentError, Proof, consent_record, consent_states
from askfirst.contacts.models import Status
from tests.factories import make_contact, make_staff

pytestmark = pytest.mark.django_db

PORTAL = Proof(channel="portal", language="en")


def test_granting_a_purpose_needs_storage_first():
    contact = make_contact()
    with pytest.raises(ConsentError, match="first"):
        consent_record(contact=contact, purpose_key="newsletter", granted=True, proof=PORTAL)
    assert ConsentEvent.objects.filter(contact=contact).count() == 0


def test_withdrawing_storage_withdraws_what_depends_on_it():
    contact = make_contact()
    for key in ("storage", "newsletter", "extranet"):
        consent_record(contact=contact, purpose_key=key, granted=True, proof=PORTAL)
    consent_record(contact=contact, purpose_key="storage", granted=False, proof=PORTAL)
    assert consent_states(contact=contact) == {
        "storage": False,
        "newsletter": False,
        "extranet": False,
    }


def test_an_answer_ends_the_consent_request():
    contact = make_contact()
    contact.status = Status.ASKING
    contact.next_action_at = contact.created_at
    contact.save()
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    contact.refresh_from_db()
    assert contact.status == Status.ANSWERED
    assert contact.next_action_at is None


def test_repeating_the_same_answer_adds_no_event():
    contact = make_contact()
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    assert consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL) == []
    assert ConsentEvent.objects.filter(contact=contact).count() == 1


def test_an_explicit_no_is_recorded_even_without_an_earlier_yes():
    contact = make_contact()
    events = consent_record(contact=contact, purpose_key="storage", granted=False, proof=PORTAL)
    assert [e.action for e in events] == ["withdrawn"]


def test_the_event_names_the_text_version_shown_and_its_hash():
    contact = make_contact()
    (event,) = consent_record(
        contact=contact,
        purpose_key="storage",
        granted=True,
        proof=Proof(channel="portal", language="de"),
    )
    assert event.text is not None and event.text.language == "de" and event.text.version == 1
    assert event.text_hash == event.text.body_hash


def test_staff_must_leave_a_note():
    contact = make_contact()
    staff = make_staff()
    with pytest.raises(ConsentError, match="note"):
        consent_record(
            contact=contact,
            purpose_key="storage",
            granted=True,
            proof=Proof(channel="staff", staff_user=staff, evidence="  "),
        )
    (event,) = consent_record(
        contact=contact,
        purpose_key="storage",
        granted=True,
        proof=Proof(channel="staff", staff_user=staff, evidence="Agreed on the phone, 29 Nov"),
    )
    assert event.staff_user == staff and event.channel == "staff"


def test_ip_address_is_stored_truncated_only_when_asked(settings):
    contact = make_contact()
    proof = Proof(channel="portal", ip_address="203.0.113.77")
    (event,) = consent_record(contact=contact, purpose_key="storage", granted=True, proof=proof)
    assert event.ip_prefix == ""
    settings.ASKFIRST_LEDGER_STORE_IP = True
    (event,) = consent_record(contact=contact, purpose_key="newsletter", granted=True, proof=proof)
    assert event.ip_prefix == "203.0.113.0/24"


def test_current_state_is_one_row_per_purpose():
    contact = make_contact()
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    consent_record(contact=contact, purpose_key="storage", granted=False, proof=PORTAL)
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    state = ConsentState.objects.get(contact=contact, purpose__key="storage")
    assert state.granted is True
    assert state.event == ConsentEvent.objects.filter(contact=contact).latest("seq")


def test_unknown_purpose_is_refused():
    with pytest.raises(ConsentError, match="Unknown purpose"):
        consent_record(contact=make_contact(), purpose_key="telepathy", granted=True, proof=PORTAL)
