"""Staff rotate an endpoint's signing secret in the admin. For
ASKFIRST_HOOK_SECRET_OVERLAP every webhook carries a v1 for the new and the old
secret, so a receiver still holding the old one keeps verifying while one that
switched verifies from the first webhook; after the overlap only the new one
signs. The endpoint's page shows the new secret and until when the old one signs."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import formats, timezone, translation

from askfirst.consent.services import consent_record
from askfirst.hooks.delivery import deliveries_send
from askfirst.hooks.models import Endpoint
from tests.factories import make_contact
from tests.hooks.helpers import PORTAL, endpoint_for
from tests.hooks.receiver import verify

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/hooks/endpoint/"


def _rotate(admin_client, endpoint: Endpoint):
    return admin_client.post(
        CHANGELIST, {"action": "rotate_secret", "_selected_action": [endpoint.pk]}, follow=True
    )


def _post_one(receiver):
    consent_record(contact=make_contact(), purpose_key="storage", granted=True, proof=PORTAL)
    assert deliveries_send().sent == 1
    got = receiver.received[-1]
    return got.headers["Askfirst-Signature"], got.body.encode()


def test_old_secret_verifies_during_the_overlap_and_not_after(receiver, settings, admin_client):
    settings.ASKFIRST_HOOK_SECRET_OVERLAP = timedelta(hours=2)
    endpoint = endpoint_for(receiver)
    old = endpoint.secret
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        response = _rotate(admin_client, endpoint)
    endpoint.refresh_from_db()
    new = endpoint.secret
    assert new != old and endpoint.previous_secret == old
    assert endpoint.previous_secret_until == start + timedelta(hours=2)
    # Straight to the endpoint's page, which shows the new secret (not the old).
    assert response.request["PATH_INFO"] == f"{CHANGELIST}{endpoint.pk}/change/"
    page = response.content.decode()
    assert new in page and old not in page
    with translation.override("en"):
        until = formats.date_format(
            timezone.localtime(start + timedelta(hours=2)), "DATETIME_FORMAT"
        )
    assert "Previous secret still signs until" in page and f">{until}<" in page

    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        header, body = _post_one(receiver)
    assert header.count("v1=") == 2
    assert verify(secret=old, header=header, body=body)
    assert verify(secret=new, header=header, body=body)

    with time_machine.travel(start + timedelta(hours=2, seconds=1), tick=False):
        header, body = _post_one(receiver)
        page = admin_client.get(f"{CHANGELIST}{endpoint.pk}/change/").content.decode()
    assert header.count("v1=") == 1
    assert not verify(secret=old, header=header, body=body)
    assert verify(secret=new, header=header, body=body)
    assert new in page and f">{until}<" not in page


def test_new_secret_verifies_from_the_first_webhook(receiver, admin_client):
    endpoint = endpoint_for(receiver)
    _rotate(admin_client, endpoint)
    endpoint.refresh_from_db()

    header, body = _post_one(receiver)

    assert verify(secret=endpoint.secret, header=header, body=body)
    assert not verify(secret="a guess", header=header, body=body)


def test_a_second_rotation_waits_for_the_overlap(receiver, settings, admin_client):
    # It would drop the secret a receiver may still hold before its overlap is over.
    settings.ASKFIRST_HOOK_SECRET_OVERLAP = timedelta(hours=24)
    endpoint = endpoint_for(receiver)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _rotate(admin_client, endpoint)
        endpoint.refresh_from_db()
        first = (endpoint.secret, endpoint.previous_secret)
        response = _rotate(admin_client, endpoint)
    assert "rotate again after that" in response.content.decode()
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.previous_secret) == first

    with time_machine.travel(start + timedelta(hours=24, seconds=1), tick=False):
        _rotate(admin_client, endpoint)
    endpoint.refresh_from_db()
    assert endpoint.previous_secret == first[0] and endpoint.secret not in first
