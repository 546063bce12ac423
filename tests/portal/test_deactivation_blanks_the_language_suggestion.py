"""Deactivation keeps only the address: the language suggestion and its reason, which
can name the person's country, go with the rest."""

import pytest

from askfirst.consent.services import Proof, contact_deactivate
from tests.factories import make_contact

pytestmark = pytest.mark.django_db


def test_suggestion_and_reason_are_blanked():
    contact = make_contact(country="Österreich")
    assert contact.suggested_language == "de"
    assert "Österreich" in contact.suggestion_reason
    contact_deactivate(contact=contact, proof=Proof(channel="mail_link", language="de"))
    contact.refresh_from_db()
    assert (contact.suggested_language, contact.suggestion_reason) == ("", "")
