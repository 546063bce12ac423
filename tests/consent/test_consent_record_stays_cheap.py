"""Recording an answer is the portal's busiest write: a few queries, and the caller's
contact shows what was written without a reload."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from askfirst.consent.ledger import ledger_verify
from askfirst.consent.models import ConsentState, ConsentText
from askfirst.consent.services import Proof, consent_record, consent_states
from askfirst.contacts.models import Contact, Status
from tests.factories import make_contact

pytestmark = pytest.mark.django_db

PORTAL = Proof(channel="portal", language="en", token_hash="a" * 64)
# SAVEPOINT, lock, purposes + answers + texts, event INSERT, text shown UPDATE,
# state INSERT, contact UPDATE, RELEASE (the test runs inside a transaction).
MAX_QUERIES_ONE_GRANT = 8


def _asking_contact() -> Contact:
    contact = make_contact()
    contact.status = Status.ASKING
    contact.next_action_at = contact.created_at
    contact.save()
    return contact


def test_one_grant_takes_a_bounded_number_of_queries():
    contact = _asking_contact()
    with CaptureQueriesContext(connection) as queries:
        (event,) = consent_record(
            contact=contact, purpose_key="storage", granted=True, proof=PORTAL
        )
    assert len(queries) <= MAX_QUERIES_ONE_GRANT, "\n".join(q["sql"] for q in queries)
    assert event.seq == 1 and ConsentState.objects.get(contact=contact).event_id == event.pk


def test_a_change_of_mind_takes_no_more_queries():
    contact = make_contact()
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    consent_record(contact=contact, purpose_key="newsletter", granted=True, proof=PORTAL)
    with CaptureQueriesContext(connection) as queries:
        consent_record(contact=contact, purpose_key="newsletter", granted=False, proof=PORTAL)
    # The text was shown before and the state row exists: one query fewer.
    assert len(queries) <= MAX_QUERIES_ONE_GRANT - 1, "\n".join(q["sql"] for q in queries)
    assert consent_states(contact=contact) == {"storage": True, "newsletter": False}


def test_the_contact_row_is_locked():
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite locks the whole database at BEGIN IMMEDIATE")
    contact = make_contact()
    with CaptureQueriesContext(connection) as queries:
        consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    table = Contact._meta.db_table
    assert any(f'FROM "{table}"' in q["sql"] and "FOR UPDATE" in q["sql"] for q in queries), (
        "\n".join(q["sql"] for q in queries)
    )


def test_the_callers_contact_shows_what_was_written():
    contact = _asking_contact()
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    consent_record(contact=contact, purpose_key="newsletter", granted=True, proof=PORTAL)
    stored = Contact.objects.get(pk=contact.pk)
    for name in ("status", "next_action_at", "ledger_length", "ledger_head", "updated_at"):
        assert getattr(contact, name) == getattr(stored, name), name
    assert contact.status == Status.ANSWERED and contact.next_action_at is None
    assert contact.ledger_length == 2


def test_a_stale_instance_still_extends_the_chain_at_its_head():
    contact = make_contact()
    stale = Contact.objects.get(pk=contact.pk)
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    consent_record(contact=stale, purpose_key="newsletter", granted=True, proof=PORTAL)
    assert (
        stale.ledger_length == 2
        and stale.ledger_head == Contact.objects.get(pk=contact.pk).ledger_head
    )
    assert list(ledger_verify()) == []


def test_withdrawing_storage_writes_every_event_in_one_chain():
    contact = make_contact()
    for key in ("storage", "newsletter", "tracking"):
        consent_record(contact=contact, purpose_key=key, granted=True, proof=PORTAL)
    events = consent_record(contact=contact, purpose_key="storage", granted=False, proof=PORTAL)
    assert [e.seq for e in events] == [4, 5, 6]
    assert [e.purpose.key for e in events][-1] == "storage"
    assert all(e.pk is not None for e in events)
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert contact.ledger_length == 6 and contact.ledger_head == events[-1].hash
    assert set(ConsentState.objects.filter(contact=contact).values_list("event_id", flat=True)) >= {
        e.pk for e in events
    }
    assert list(ledger_verify()) == []


def test_the_text_shown_is_marked_as_shown():
    contact = make_contact()
    (event,) = consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    assert event.text_id is not None
    text = ConsentText.objects.get(pk=event.text_id)
    assert text.shown_in_mail and event.text_hash == text.body_hash
    assert event.text == text
