"""A request that still holds the session of a person erased meanwhile (on another
device, by staff, by the worker) and then saves it under a new key (a fresh password
proof, an address change) must end it: the new row's foreign key fails, and Django
would take that for a key in use and try new keys without end."""

import pytest
from django.contrib.sessions.backends.base import UpdateError

from askfirst.contacts.services import contact_erase
from askfirst.portal import access
from askfirst.portal.models import PortalSession
from askfirst.portal.session_store import SessionStore
from tests.factories import make_contact

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_key_for_an_erased_person_ends_the_session(monkeypatch):
    person = make_contact(email="gone.soon@example.org")
    store = SessionStore()
    store[access.CONTACT] = person.pk
    store.create()
    request_copy = SessionStore(store.session_key)
    assert request_copy[access.CONTACT] == person.pk  # loaded, as a request would
    contact_erase(contact=person)

    keys = []
    new_key = request_copy._get_new_session_key

    def counted():
        keys.append(1)
        if len(keys) > 5:
            raise RuntimeError("new keys without end")
        return new_key()

    monkeypatch.setattr(request_copy, "_get_new_session_key", counted)
    with pytest.raises(UpdateError):
        request_copy.cycle_key()
    assert len(keys) == 1
    assert not PortalSession.objects.exists()


def test_a_new_key_for_a_living_person_still_works():
    person = make_contact(email="still.here@example.org")
    store = SessionStore()
    store[access.CONTACT] = person.pk
    store.create()
    old = store.session_key
    store.cycle_key()
    assert store.session_key != old
    assert PortalSession.objects.get().contact_id == person.pk
