"""Failed logins are counted per address and per IP; past the limit login pauses."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password

from askfirst.portal.models import PortalLogin, Throttle

pytestmark = pytest.mark.django_db

GOOD = "a very long and good passphrase"


@pytest.fixture
def with_password(person):
    PortalLogin.objects.create(contact=person, password_hash=make_password(GOOD))
    return person


def _login(client, email, password, **extra):
    return client.post("/portal/login/", {"email": email, "password": password}, **extra)


def test_lockout_after_five_failures_even_with_the_right_password(client, with_password, settings):
    settings.ASKFIRST_PORTAL_LOGIN_LIMIT_ADDRESS = (5, timedelta(minutes=15))
    for _ in range(5):
        assert _login(client, with_password.email, "wrong wrong wrong!").status_code == 400
    locked = _login(client, with_password.email, GOOD)
    assert locked.status_code == 429
    assert b"paused" in locked.content
    assert client.get("/portal/").status_code == 302
    # After the window, the right password works again.
    Throttle.objects.update(window_start=Throttle.objects.first().window_start - timedelta(hours=1))
    assert _login(client, with_password.email, GOOD).status_code == 303


def test_unknown_addresses_lock_the_same_way(client, db, settings):
    settings.ASKFIRST_PORTAL_LOGIN_LIMIT_ADDRESS = (3, timedelta(minutes=15))
    for _ in range(3):
        assert _login(client, "ghost@example.org", "whatever whatever").status_code == 400
    assert _login(client, "ghost@example.org", "whatever whatever").status_code == 429


def test_per_ip_limit(client, with_password, settings):
    settings.ASKFIRST_PORTAL_LOGIN_LIMIT_IP = (4, timedelta(minutes=15))
    for n in range(4):
        _login(client, f"guess{n}@example.org", "wrong wrong wrong!")
    assert _login(client, with_password.email, GOOD).status_code == 429
    assert _login(client, with_password.email, GOOD, REMOTE_ADDR="198.51.100.7").status_code == 303


def test_success_resets_the_address_counter(client, with_password, settings):
    settings.ASKFIRST_PORTAL_LOGIN_LIMIT_ADDRESS = (3, timedelta(minutes=15))
    _login(client, with_password.email, "wrong wrong wrong!")
    _login(client, with_password.email, "wrong wrong wrong!")
    assert _login(client, with_password.email, GOOD).status_code == 303
    client.post("/portal/logout/")
    _login(client, with_password.email, "wrong wrong wrong!")
    _login(client, with_password.email, "wrong wrong wrong!")
    assert _login(client, with_password.email, GOOD).status_code == 303
