"""The current-state table, which the API and the portal read, is verified against the
ledger: a state row edited, deleted or forged in the database is found and named."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from askfirst.consent.ledger import ledger_verify
from askfirst.consent.models import ConsentEvent, Purpose
from askfirst.consent.services import consent_states
from tests.consent.people import person_who_withdrew
from tests.factories import make_contact

pytestmark = pytest.mark.django_db


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _newest(contact, key):
    return ConsentEvent.objects.filter(contact=contact, purpose__key=key).latest("seq")


def _verify_output():
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify-ledger", stderr=err)
    return err.getvalue()


def test_intact_states_verify():
    person_who_withdrew()
    person_who_withdrew()
    assert list(ledger_verify()) == []


def test_granted_flipped_back_after_a_withdrawal_is_named():
    keep = person_who_withdrew()
    contact = person_who_withdrew()
    withdrawal = _newest(contact, "newsletter")
    _raw(
        "UPDATE consent_consentstate SET granted = %s WHERE contact_id = %s AND purpose_id = %s",
        [True, contact.pk, withdrawal.purpose_id],
    )
    assert consent_states(contact=contact)["newsletter"] is True  # what the API would say

    [problem] = ledger_verify()
    assert (problem.contact_id, problem.event_id) == (contact.pk, withdrawal.pk)
    assert problem.message == (
        "the current state of newsletter says granted, but this newest event for it says withdrawn"
    )
    out = _verify_output()
    assert f"contact {contact.pk}, event #{withdrawal.pk} (seq 4)" in out
    assert f"contact {keep.pk}" not in out


def test_state_pointed_at_an_older_event_is_named():
    contact = person_who_withdrew()
    withdrawal = _newest(contact, "newsletter")
    grant = ConsentEvent.objects.get(contact=contact, purpose__key="newsletter", seq=2)
    _raw(
        "UPDATE consent_consentstate SET granted = %s, event_id = %s WHERE event_id = %s",
        [True, grant.pk, withdrawal.pk],
    )
    [problem] = ledger_verify()
    assert (problem.contact_id, problem.event_id) == (contact.pk, withdrawal.pk)
    assert problem.message == (
        f"the current state of newsletter rests on event #{grant.pk} (granted), but the newest"
        " event for that purpose is this one (withdrawn)"
    )


def test_deleted_state_is_named():
    contact = person_who_withdrew()
    tracking = _newest(contact, "tracking")
    _raw("DELETE FROM consent_consentstate WHERE event_id = %s", [tracking.pk])
    [problem] = ledger_verify()
    assert (problem.contact_id, problem.event_id) == (contact.pk, tracking.pk)
    assert "tracking has no current state" in problem.message


def test_state_for_a_purpose_never_answered_is_named():
    contact = person_who_withdrew()
    storage = _newest(contact, "storage")
    extranet = Purpose.objects.get(key="extranet")
    _raw(
        "UPDATE consent_consentstate SET purpose_id = %s WHERE event_id = %s",
        [extranet.pk, storage.pk],
    )
    messages = {p.message for p in ledger_verify() if p.event_id == storage.pk}
    assert messages == {
        "the current state of extranet says granted, but this contact has no event for that"
        " purpose",
        "storage has no current state, but this newest event for it says granted",
    }
    assert f"contact {contact.pk}, event #{storage.pk}: the current state of extranet" in (
        _verify_output()
    )


def test_state_of_a_contact_without_events_is_named():
    contact = person_who_withdrew()
    other = make_contact()
    storage = _newest(contact, "storage")
    _raw(
        "UPDATE consent_consentstate SET contact_id = %s WHERE event_id = %s",
        [other.pk, storage.pk],
    )
    problems = {(p.contact_id, p.event_id) for p in ledger_verify()}
    assert problems == {(other.pk, storage.pk), (contact.pk, storage.pk)}
