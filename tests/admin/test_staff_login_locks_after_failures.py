"""The staff login (/admin/login/) counts failures per username and per address:
past the limit even the right password is refused until the window ends, with a
message saying so, the same for a username that does not exist; other users and
other addresses log in as before."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from askfirst.portal.models import Throttle
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

GOOD = "correct horse battery staple"
WINDOW = timedelta(minutes=15)
LOCKED = "Too many failed logins"
OFFICE = "203.0.113.10"
ELSEWHERE = "198.51.100.7"


def _login(username: str, password: str, *, ip: str = OFFICE, **extra):
    """A fresh browser each time: the lock must not hang on a session."""
    return Client(REMOTE_ADDR=ip).post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        **extra,
    )


def _logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


@pytest.fixture
def anna(db):
    return make_staff("anna")


@pytest.fixture
def limits(settings):
    settings.ASKFIRST_STAFF_LOGIN_LIMIT_USER = (5, WINDOW)
    settings.ASKFIRST_STAFF_LOGIN_LIMIT_IP = (8, WINDOW)


def test_after_five_failures_the_right_password_waits_for_the_window(anna, limits):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            wrong = _login("anna", "not the password")
            assert wrong.status_code == 200
            assert LOCKED not in wrong.content.decode()
        clock.shift(timedelta(minutes=5))
        locked = _login("anna", GOOD)
        assert locked.status_code == 429
        assert LOCKED in locked.content.decode()
        assert "_auth_user_id" not in locked.wsgi_request.session
        # From another address too: the lock is on the username.
        assert _login("anna", GOOD, ip=ELSEWHERE).status_code == 429
        clock.move_to(start + WINDOW - timedelta(seconds=1))
        assert _login("anna", GOOD).status_code == 429
        clock.move_to(start + WINDOW + timedelta(seconds=1))
        assert _logged_in(_login("anna", GOOD))


def test_other_users_are_not_locked(anna, limits):
    make_staff("bert")
    for _ in range(5):
        _login("anna", "not the password")
    assert _login("anna", GOOD).status_code == 429
    assert _logged_in(_login("bert", GOOD))


def test_an_unknown_username_is_answered_the_same(anna, limits):
    answers = {}
    for name in ("anna", "nobody"):
        for _ in range(5):
            failed = _login(name, "not the password", ip=f"192.0.2.{len(answers) + 1}")
            assert failed.status_code == 200
        locked = _login(name, GOOD, ip=f"192.0.2.{len(answers) + 1}")
        answers[name] = (
            locked.status_code,
            locked.context["form"].non_field_errors(),
            failed.context["form"].non_field_errors(),
        )
    assert answers["anna"] == answers["nobody"]
    assert answers["anna"][0] == 429


def test_per_address_limit_spares_other_addresses(anna, limits):
    for n in range(8):  # guessing across usernames from one address
        _login(f"guess{n}", "not the password")
    assert _login("anna", GOOD).status_code == 429
    assert _logged_in(_login("anna", GOOD, ip=ELSEWHERE))


def test_a_login_clears_the_username_count(anna, limits, settings):
    settings.ASKFIRST_STAFF_LOGIN_LIMIT_IP = (50, WINDOW)  # the address's count stays
    for _ in range(4):
        _login("anna", "not the password")
    assert _logged_in(_login("anna", GOOD))
    for _ in range(4):
        _login("anna", "not the password")
    assert _logged_in(_login("anna", GOOD))


def test_the_lock_message_is_german_for_german_staff(anna, limits):
    for _ in range(5):
        _login("anna", "not the password")
    locked = _login("anna", GOOD, HTTP_ACCEPT_LANGUAGE="de")
    assert locked.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldungen" in locked.content.decode()


def test_counters_hold_no_username_or_address_in_clear(anna, limits):
    _login("anna", "not the password")
    keys = list(Throttle.objects.values_list("key", flat=True))
    assert len(keys) == 2
    assert not any("anna" in key or OFFICE in key for key in keys)
