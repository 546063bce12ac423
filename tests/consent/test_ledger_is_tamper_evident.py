"""Editing, deleting, inserting or reordering ledger rows in the database is found."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from askfirst.consent.ledger import ledger_verify
from askfirst.consent.models import ConsentEvent
from askfirst.contacts.services import contact_erase
from tests.consent.people import person_who_withdrew
from tests.factories import make_contact

pytestmark = pytest.mark.django_db


def _events(contact):
    return list(ConsentEvent.objects.filter(contact=contact).order_by("seq"))


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _problem_event_ids():
    return {problem.event_id for problem in ledger_verify()}


def test_an_untouched_ledger_verifies():
    person_who_withdrew()
    person_who_withdrew()
    assert list(ledger_verify()) == []
    call_command("verify-ledger")


def test_editing_an_event_is_named():
    contact = person_who_withdrew()
    target = _events(contact)[1]
    _raw("UPDATE consent_consentevent SET action = 'withdrawn' WHERE id = %s", [target.pk])
    assert target.pk in _problem_event_ids()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify-ledger", stderr=err)
    assert f"contact {contact.pk}, event #{target.pk} (seq 2): content was edited" in err.getvalue()


def test_editing_the_time_is_named():
    contact = person_who_withdrew()
    target = _events(contact)[0]
    _raw(
        "UPDATE consent_consentevent SET occurred_at = %s WHERE id = %s",
        ["2020-01-01 00:00:00+00:00", target.pk],
    )
    assert target.pk in _problem_event_ids()


def test_deleting_an_event_in_the_middle_is_named():
    contact = person_who_withdrew()
    events = _events(contact)
    _raw("DELETE FROM consent_consentevent WHERE id = %s", [events[1].pk])
    _raw("DELETE FROM consent_consentstate WHERE event_id = %s", [events[1].pk])
    assert events[2].pk in _problem_event_ids()


def test_deleting_the_newest_event_is_found():
    contact = person_who_withdrew()
    events = _events(contact)
    _raw("DELETE FROM consent_consentstate WHERE event_id = %s", [events[-1].pk])
    _raw("DELETE FROM consent_consentevent WHERE id = %s", [events[-1].pk])
    problems = list(ledger_verify())
    assert problems and problems[0].contact_id == contact.pk
    assert problems[0].event_id == events[-2].pk


def test_reordering_two_events_is_named():
    contact = person_who_withdrew()
    first, second = _events(contact)[:2]
    _raw("UPDATE consent_consentevent SET seq = 1000 WHERE id = %s", [first.pk])
    _raw("UPDATE consent_consentevent SET seq = 1 WHERE id = %s", [second.pk])
    _raw("UPDATE consent_consentevent SET seq = 2 WHERE id = %s", [first.pk])
    assert {first.pk, second.pk} <= _problem_event_ids()


def test_inserting_a_forged_event_is_named():
    contact = person_who_withdrew()
    last = _events(contact)[-1]
    _raw(
        "INSERT INTO consent_consentevent (contact_id, seq, purpose_id, action, occurred_at,"
        " channel, language, text_hash, token_hash, evidence, ip_prefix, prev_hash, hash)"
        " VALUES (%s, %s, %s, 'granted', %s, 'portal', 'de', '', '', '', '', %s, %s)",
        [contact.pk, last.seq + 1, last.purpose_id, last.occurred_at, last.hash, "f" * 64],
    )
    forged = ConsentEvent.objects.get(contact=contact, seq=last.seq + 1)
    assert forged.pk in _problem_event_ids()


def test_events_for_a_contact_without_chain_are_named():
    other = make_contact()
    contact = person_who_withdrew()
    event = _events(contact)[0]
    _raw("UPDATE consent_consentevent SET contact_id = %s WHERE id = %s", [other.pk, event.pk])
    assert event.pk in _problem_event_ids()


def test_erasing_a_contact_keeps_the_ledger_verifiable():
    keep = person_who_withdrew()
    gone = person_who_withdrew()
    contact_erase(contact=gone)
    assert list(ledger_verify()) == []
    assert ConsentEvent.objects.filter(contact=keep).count() == 4


def test_events_cannot_be_changed_through_the_orm():
    contact = person_who_withdrew()
    event = _events(contact)[0]
    event.action = "withdrawn"
    with pytest.raises(Exception, match="append-only"):
        event.save()
