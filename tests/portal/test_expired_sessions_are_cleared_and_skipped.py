"""Expired session rows are deleted by the worker's tidy; erasure and deactivation find
a person's sessions, live or expired, by the contact column alone."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from askfirst.lifecycle.worker import Worker
from askfirst.portal.access import sessions_delete
from askfirst.portal.models import PortalSession
from tests.factories import make_contact
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db


def _expire(key: str) -> None:
    PortalSession.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))


def test_the_worker_deletes_expired_sessions(person):
    old, live = Client(), Client()
    enter(old, person)
    enter(live, person)
    _expire(old.session.session_key)

    Worker().run_once()

    assert list(PortalSession.objects.values_list("pk", flat=True)) == [live.session.session_key]


def test_a_persons_sessions_go_live_or_expired_and_only_theirs(person):
    old, live, stranger = Client(), Client(), Client()
    enter(old, person)
    enter(live, person)
    enter(stranger, make_contact(email="someone.else@example.org"))
    _expire(old.session.session_key)

    assert sessions_delete(contact=person) == 2

    assert list(PortalSession.objects.values_list("pk", flat=True)) == [
        stranger.session.session_key
    ]


def test_finding_them_costs_one_query_however_many_sessions_there_are(
    person, django_assert_num_queries
):
    """The row names its person (an indexed column): no reading and decoding every
    live session to find whose it is."""
    for n in range(30):
        enter(Client(), make_contact(email=f"other{n}@example.org"))
    mine = Client()
    enter(mine, person)
    with django_assert_num_queries(1):
        assert sessions_delete(contact=person) == 1
    assert PortalSession.objects.count() == 30
