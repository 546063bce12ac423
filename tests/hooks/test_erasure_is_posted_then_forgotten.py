"""An erasure tells listening systems to erase the person too; once the webhooks
are sent, no table (nor, on SQLite, the database files) holds the person."""

import pytest
from django.db import connection

from askfirst.consent.services import consent_record
from askfirst.contacts.services import contact_erase, database_scrub
from askfirst.hooks.delivery import deliveries_send
from askfirst.hooks.models import Delivery, DeliveryState, Event
from tests.erasure import rows_containing, sqlite_files_containing
from tests.factories import make_contact
from tests.hooks.helpers import PORTAL, endpoint_for
from tests.hooks.receiver import verify

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "kunigunde.flaschenpost@erase-me.example"
REF = "crm-kunigunde-4711"


def test_erased_is_delivered_then_blanked(receiver):
    endpoint = endpoint_for(receiver)
    contact = make_contact(email=EMAIL, first_name="Kunigunde", source="api", source_ref=REF)
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=PORTAL)
    deliveries_send()  # the grant goes out before the erasure
    consent_record(contact=contact, purpose_key="storage", granted=False, proof=PORTAL)
    contact_id = contact.pk

    contact_erase(contact=contact)

    # Already sent: blanked at once. The withdrawal and the erasure are still
    # to go, so they hold the address until they are sent (docs/hooks.md).
    assert Delivery.objects.filter(state=DeliveryState.SENT).get().body == ""
    assert {table for table, _ in rows_containing([EMAIL, REF])} == {"hooks_delivery"}
    assert Delivery.objects.filter(person__isnull=False).count() == 0

    assert deliveries_send().sent == 2

    erased = receiver.received[-1]
    assert erased.headers["Askfirst-Event"] == Event.CONTACT_ERASED
    assert verify(
        secret=endpoint.secret,
        header=erased.headers["Askfirst-Signature"],
        body=erased.body.encode(),
    )
    payload = erased.json
    assert payload["contact"] == {
        "id": contact_id,
        "email": EMAIL,
        "source": "api",
        "source_ref": REF,
    }
    assert payload["erased_at"].endswith("Z")
    assert receiver.received[-2].json["granted"] is False

    # What is left: that three webhooks went to the CRM, not about whom.
    assert list(Delivery.objects.values_list("body", flat=True)) == ["", "", ""]
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 3
    assert rows_containing([EMAIL, REF, "Kunigunde"]) == []
    if connection.vendor == "sqlite":
        database_scrub()
        assert sqlite_files_containing([EMAIL, REF]) == []
