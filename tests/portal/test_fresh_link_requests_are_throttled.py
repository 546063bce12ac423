"""Fresh-link requests are limited per address and per IP, counted in the database."""

from datetime import timedelta

import pytest

from askfirst.mail.models import MailName, Outbox
from askfirst.portal.models import Throttle

pytestmark = pytest.mark.django_db


def test_per_address_limit(client, person, settings):
    settings.ASKFIRST_PORTAL_LINK_LIMIT_ADDRESS = (3, timedelta(hours=1))
    for _ in range(3):
        assert client.post("/portal/link/", {"email": person.email}).status_code == 303
    response = client.post("/portal/link/", {"email": person.email.upper()})
    assert response.status_code == 429
    assert Outbox.objects.filter(name=MailName.PORTAL).count() == 3
    # Unknown addresses are counted the same way: the limit reveals nothing.
    for _ in range(3):
        client.post("/portal/link/", {"email": "ghost@example.org"})
    assert client.post("/portal/link/", {"email": "ghost@example.org"}).status_code == 429


def test_per_ip_limit(client, person, settings):
    settings.ASKFIRST_PORTAL_LINK_LIMIT_IP = (5, timedelta(hours=1))
    for n in range(5):
        assert client.post("/portal/link/", {"email": f"x{n}@example.org"}).status_code == 303
    assert client.post("/portal/link/", {"email": person.email}).status_code == 429
    other_network = client.post("/portal/link/", {"email": person.email}, REMOTE_ADDR="203.0.113.9")
    assert other_network.status_code == 303


def test_window_passes(client, person, settings):
    settings.ASKFIRST_PORTAL_LINK_LIMIT_ADDRESS = (1, timedelta(hours=1))
    client.post("/portal/link/", {"email": person.email})
    assert client.post("/portal/link/", {"email": person.email}).status_code == 429
    Throttle.objects.update(window_start=Throttle.objects.first().window_start - timedelta(hours=2))
    assert client.post("/portal/link/", {"email": person.email}).status_code == 303


def test_counters_hold_no_address_in_clear(client, person):
    client.post("/portal/link/", {"email": person.email})
    for row in Throttle.objects.all():
        assert person.email not in row.key and "example" not in row.key
        assert len(row.key) == 64
