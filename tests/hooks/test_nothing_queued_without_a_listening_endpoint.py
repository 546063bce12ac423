"""No endpoint, an inactive one, or one that did not ask for the event: nothing
is queued, and without endpoints an answer costs no extra query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from askfirst.consent.services import consent_record
from askfirst.contacts.services import contact_erase
from askfirst.hooks.models import Delivery, Event
from tests.factories import make_contact
from tests.hooks.helpers import PORTAL, endpoint_for

pytestmark = pytest.mark.django_db


def _answer_and_erase() -> None:
    contact = make_contact()
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    contact_erase(contact=contact)


def test_inactive_endpoint_gets_nothing(receiver):
    endpoint_for(receiver, active=False)
    _answer_and_erase()
    assert Delivery.objects.count() == 0


def test_endpoint_gets_only_the_events_it_asked_for(receiver):
    erasures_only = endpoint_for(receiver, on_consent_changed=False)
    consent_only = endpoint_for(receiver, on_contact_erased=False)
    _answer_and_erase()
    assert set(Delivery.objects.values_list("endpoint_id", "event")) == {
        (erasures_only.pk, Event.CONTACT_ERASED),
        (consent_only.pk, Event.CONSENT_CHANGED),
    }


def test_no_endpoint_no_delivery_no_extra_query():
    contact = make_contact()
    with CaptureQueriesContext(connection) as queries:
        consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    sql = " ".join(q["sql"] for q in queries)
    assert sql.count("hooks_endpoint") == 1  # folded into the contact lock
    assert "hooks_delivery" not in sql
    with CaptureQueriesContext(connection) as queries:
        contact_erase(contact=contact)
    hooks_queries = [q["sql"] for q in queries if "hooks_" in q["sql"]]
    assert len(hooks_queries) == 1 and "hooks_endpoint" in hooks_queries[0]
    assert Delivery.objects.count() == 0
