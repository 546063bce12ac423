"""The session read (askfirst/portal/session_store.py) keeps checked session data per
process, yet still reads the row on every request: altered data opens nothing, an ended
or expired session ends at once, and no request sees another's changes unsaved."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from askfirst.contacts.models import Contact, Status
from askfirst.portal import access
from askfirst.portal.models import PortalSession
from askfirst.portal.session_store import SessionStore
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db


def test_altered_session_data_opens_nothing(client, person):
    enter(client, person)
    assert client.get("/portal/consent/").status_code == 200  # checked and kept
    session = PortalSession.objects.get()
    data = session.session_data
    forged = data[:-1] + ("A" if data[-1] != "A" else "B")  # the signature no longer holds
    PortalSession.objects.filter(pk=session.pk).update(session_data=forged)
    response = client.get("/portal/consent/")
    assert response.status_code == 302 and response["Location"] == "/portal/start/"


def test_an_expired_session_ends_although_its_data_was_checked(client, person):
    enter(client, person)
    assert client.get("/portal/consent/").status_code == 200
    PortalSession.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/portal/consent/")
    assert response.status_code == 302 and response["Location"] == "/portal/start/"


def test_each_read_gets_its_own_copy():
    store = SessionStore()
    store["list"] = [1]
    store["nested"] = {"a": [1]}
    store["n"] = 1
    store.create()
    first = SessionStore(store.session_key)
    first["list"].append(2)
    first["nested"]["a"].append(2)
    second = SessionStore(store.session_key)
    assert second["list"] == [1] and second["nested"] == {"a": [1]} and second["n"] == 1
    first.save()  # saved data is a new string, checked and kept afresh
    assert SessionStore(store.session_key)["list"] == [1, 2]


def test_the_person_comes_with_the_session_row(client, person, monkeypatch):
    """One statement reads the session and its person's state; the separate query is
    only for a session whose data changed since it was read."""
    enter(client, person)

    def no_second_query(contact_id):
        raise AssertionError("the person was read again")

    monkeypatch.setattr(access, "_contact_check", no_second_query)
    assert client.get("/portal/consent/").status_code == 200
    assert PortalSession.objects.get().contact_id == person.pk
    # Changed elsewhere (deactivated in another process): the same read sees it.
    Contact.objects.filter(pk=person.pk).update(status=Status.DEACTIVATED)
    response = client.get("/portal/consent/")
    assert response.status_code == 302 and response["Location"] == "/portal/"


def test_a_person_erased_after_the_check_gets_not_found(person):
    """A page that reads the whole contact after the access check found it, while
    another device erased it: a 404, not a server error."""
    checked = access.PortalAccess(
        contact_id=person.pk,
        status=person.status,
        portal_language="",
        mail_language="en",
        via="link",
        proven_at=timezone.now(),
        token_hash="",
    )
    Contact.objects.filter(pk=person.pk).delete()
    with pytest.raises(Http404):
        assert checked.contact is None  # never reached: the read raises
