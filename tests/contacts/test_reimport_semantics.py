"""Re-import: a known contact is updated, its consent process is never restarted."""

import pytest

from askfirst.contacts.inputs import InvalidContact, parse_contact
from askfirst.contacts.models import Contact, MailLanguage, Status
from askfirst.contacts.services import (
    ContactConflict,
    Outcome,
    contact_choose_language,
    contact_erase,
    contact_upsert,
)
from tests.factories import make_contact, make_staff

pytestmark = pytest.mark.django_db


def _upsert(**row):
    return contact_upsert(data=parse_contact(row, default_source="import"))


def test_same_address_in_other_case_is_the_same_contact():
    first, outcome = _upsert(email="Max.Muster@Example.COM", first_name="Max")
    assert outcome == Outcome.CREATED
    second, outcome = _upsert(email="max.muster@example.com", last_name="Muster")
    assert outcome == Outcome.UPDATED and second.pk == first.pk
    second.refresh_from_db()
    assert (second.first_name, second.last_name) == ("Max", "Muster")
    assert Contact.objects.count() == 1


def test_idn_addresses_meet_in_unicode_and_punycode():
    first, _ = _upsert(email="info@bücher.de")
    second, outcome = _upsert(email="INFO@xn--bcher-kva.de")
    assert second.pk == first.pk and outcome == Outcome.UNCHANGED
    assert first.email == "info@bücher.de"


def test_an_unchanged_row_is_reported_unchanged():
    _upsert(email="a@example.org", first_name="A")
    assert _upsert(email="a@example.org", first_name="A")[1] == Outcome.UNCHANGED


def test_reimport_never_restarts_the_consent_process():
    contact = make_contact(email="asked@example.org")
    contact_choose_language(contact=contact, language=MailLanguage.GERMAN, user=make_staff())
    contact.refresh_from_db()
    before = (contact.status, contact.mail_language, contact.asking_since, contact.next_action_at)
    _upsert(email="ASKED@example.org", company="New GmbH")
    contact.refresh_from_db()
    assert contact.company == "New GmbH"
    assert (
        contact.status,
        contact.mail_language,
        contact.asking_since,
        contact.next_action_at,
    ) == before


def test_an_erased_address_starts_fresh():
    contact = make_contact(email="again@example.org")
    contact_choose_language(contact=contact, language=MailLanguage.ENGLISH, user=make_staff())
    contact_erase(contact=contact)
    fresh, outcome = _upsert(email="again@example.org")
    assert outcome == Outcome.CREATED and fresh.status == Status.QUEUED


def test_source_ref_finds_a_contact_whose_address_changed():
    first, _ = _upsert(email="old@example.org", source="connector", source_ref="hr-1")
    moved, outcome = _upsert(email="new@example.org", source="connector", source_ref="hr-1")
    assert moved.pk == first.pk and outcome == Outcome.UPDATED
    assert moved.email == "new@example.org"


def test_source_ref_cannot_steal_another_contacts_address():
    _upsert(email="taken@example.org")
    _upsert(email="mine@example.org", source="connector", source_ref="hr-2")
    with pytest.raises(ContactConflict):
        _upsert(email="taken@example.org", source="connector", source_ref="hr-2")


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "a@b"}, "email"),
        ({"email": "ok@example.org", "first_name": "x" * 151}, "first_name"),
        ({"email": "ok@example.org", "kind": "alien"}, "kind"),
        ({"email": "ok@example.org", "source": "telepathy"}, "source"),
        ({"email": "ok@example.org", "city": "Ber\x00lin"}, "city"),
        ({"email": "ok@example.org", "phone": 12345}, "phone"),
        ({"email": "ok@example.org", "last_name": "M\ud800ller"}, "last_name"),
        ({"email": "m\udfffller@example.org"}, "email"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(row, field):
    with pytest.raises(InvalidContact) as error:
        _upsert(**row)
    assert field in error.value.errors
    assert Contact.objects.count() == 0


def test_language_is_suggested_with_its_reason():
    contact, _ = _upsert(email="x@firma.at")
    assert (contact.suggested_language, contact.suggestion_reason) == ("de", "address domain .at")


def test_choosing_a_language_twice_is_refused():
    contact = make_contact()
    staff = make_staff()
    contact_choose_language(contact=contact, language="en", user=staff)
    with pytest.raises(ValueError, match="not waiting"):
        contact_choose_language(contact=contact, language="de", user=staff)
    with pytest.raises(ValueError, match="not a mail language"):
        contact_choose_language(contact=make_contact(), language="fr", user=staff)
