"""Expired session rows are deleted by the worker's tidy, and the erasure's session
lookup reads only live rows."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from askfirst.lifecycle.worker import Worker
from askfirst.portal import access
from askfirst.portal.access import sessions_delete
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db


def _expire(key: str) -> None:
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))


def test_the_worker_deletes_expired_sessions(person):
    old, live = Client(), Client()
    enter(old, person)
    enter(live, person)
    _expire(old.session.session_key)

    Worker().run_once()

    assert list(Session.objects.values_list("pk", flat=True)) == [live.session.session_key]


def test_the_lookup_reads_live_rows_only(person, monkeypatch):
    old, live = Client(), Client()
    enter(old, person)
    enter(live, person)
    old_key = old.session.session_key
    _expire(old_key)
    old_data = Session.objects.get(pk=old_key).session_data
    decoded = []
    store = access.import_module(access.settings.SESSION_ENGINE).SessionStore
    original = store.decode

    def counting(self, data):
        decoded.append(data)
        return original(self, data)

    monkeypatch.setattr(store, "decode", counting)

    assert sessions_delete(contact=person) == 1

    assert old_data not in decoded
    assert list(Session.objects.values_list("pk", flat=True)) == [old_key]
