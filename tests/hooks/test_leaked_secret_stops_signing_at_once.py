"""After a leak, staff rotate and then stop the old secret at once: the next
webhook carries one signature, which the leaked secret does not verify, and a
further rotation is no longer refused."""

from datetime import timedelta

import pytest

from askfirst.consent.services import consent_record
from askfirst.hooks.delivery import deliveries_send
from tests.factories import make_contact
from tests.hooks.helpers import PORTAL, endpoint_for
from tests.hooks.receiver import verify

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/hooks/endpoint/"


def _act(admin_client, action: str, endpoint):
    return admin_client.post(
        CHANGELIST, {"action": action, "_selected_action": [endpoint.pk]}, follow=True
    )


def test_stopping_the_overlap_drops_the_leaked_secret(receiver, settings, admin_client):
    settings.ASKFIRST_HOOK_SECRET_OVERLAP = timedelta(hours=24)
    endpoint = endpoint_for(receiver)
    leaked = endpoint.secret
    _act(admin_client, "rotate_secret", endpoint)

    response = _act(admin_client, "end_overlap", endpoint)

    assert "the previous secret no longer signs" in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.previous_secret == "" and endpoint.previous_secret_until is None
    consent_record(contact=make_contact(), purpose_key="storage", granted=True, proof=PORTAL)
    assert deliveries_send().sent == 1
    got = receiver.received[-1]
    header, body = got.headers["Askfirst-Signature"], got.body.encode()
    assert header.count("v1=") == 1
    assert not verify(secret=leaked, header=header, body=body)
    assert verify(secret=endpoint.secret, header=header, body=body)

    current = endpoint.secret
    _act(admin_client, "rotate_secret", endpoint)
    endpoint.refresh_from_db()
    assert endpoint.secret != current and endpoint.previous_secret == current


def test_nothing_to_stop_says_so(receiver, admin_client):
    endpoint = endpoint_for(receiver)
    secret = endpoint.secret

    response = _act(admin_client, "end_overlap", endpoint)

    assert "no previous secret was signing" in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.secret == secret
