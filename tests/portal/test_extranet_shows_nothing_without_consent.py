"""The fields a person shares in the extranet show only while the extranet purpose is
granted: Contact.extranet_shown() is the rule, and the admin shows what it says."""

import pytest
from django.contrib import admin

from askfirst.consent.services import Proof, consent_record
from askfirst.contacts.models import Contact

pytestmark = pytest.mark.django_db

PORTAL = Proof(channel="portal", language="en")


def _admin_says(contact) -> str:
    return admin.site._registry[Contact].extranet_visible(contact)


def _answer(contact, purpose, granted):
    consent_record(contact=contact, purpose_key=purpose, granted=granted, proof=PORTAL)


def test_ticked_fields_show_only_while_the_extranet_is_granted(person):
    person.extranet_fields = ["city", "last_name"]
    person.save()
    assert person.extranet_shown() == {}
    assert "city" not in _admin_says(person) and "not granted" in _admin_says(person)

    _answer(person, "storage", True)
    _answer(person, "extranet", True)
    assert person.extranet_shown() == {"last_name": "Beispiel", "city": "Köln"}
    assert _admin_says(person) == "last name, city"

    _answer(person, "extranet", False)
    assert person.extranet_shown() == {}
    assert "city" not in _admin_says(person)


def test_granted_but_nothing_ticked_shows_nothing(person):
    _answer(person, "storage", True)
    _answer(person, "extranet", True)
    assert person.extranet_shown() == {}
    assert _admin_says(person) == "nothing (the default)"
