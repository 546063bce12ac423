"""Re-import: known contacts are updated without restarting consent; deactivated stay so."""

import pytest

from askfirst.consent.models import ConsentEvent
from askfirst.contacts.models import PERSONAL_FIELDS, Contact, Status
from askfirst.contacts.services import contact_choose_language, contact_erase
from tests.factories import make_contact, make_staff

from .factories import run, write

pytestmark = pytest.mark.django_db


def test_counts_and_consent_process_untouched(tmp_path):
    asking = make_contact(email="asking@example.org", first_name="Old")
    contact_choose_language(contact=asking, language="de", user=make_staff())
    make_contact(email="same@example.org", first_name="Same", last_name="S")
    deactivated = make_contact(email="gone@example.org")
    Contact.objects.filter(pk=deactivated.pk).update(
        status=Status.DEACTIVATED, **{name: "" for name in PERSONAL_FIELDS}
    )
    erased = make_contact(email="erased@example.org")
    contact_erase(contact=erased)
    events = ConsentEvent.objects.count()

    text = (
        "email,first name,last name,city\n"
        "asking@example.org,New,,Köln\n"
        "same@example.org,Same,S,\n"
        "GONE@example.org,Back,Again,Berlin\n"
        "erased@example.org,Fresh,,\n"
        "new@example.org,New,,\n"
        "broken,x,,\n"
    )
    out = run(write(tmp_path, text))
    assert out.splitlines()[0] == (
        "created: 2, updated: 1, unchanged: 1, skipped (deactivated): 1, rejected: 1"
    )
    asking.refresh_from_db()
    assert (asking.first_name, asking.city) == ("New", "Köln")
    assert (asking.status, asking.mail_language) == (Status.ASKING, "de")
    gone = Contact.objects.get(pk=deactivated.pk)
    assert gone.status == Status.DEACTIVATED
    assert all(getattr(gone, name) == "" for name in PERSONAL_FIELDS)
    fresh = Contact.objects.get(email="erased@example.org")
    assert fresh.pk != erased.pk and fresh.status == Status.QUEUED
    assert ConsentEvent.objects.count() == events


def test_empty_cells_keep_what_we_hold(tmp_path):
    make_contact(email="a@example.org", first_name="Anna", last_name="Alt")
    out = run(write(tmp_path, "email,first name,last name\na@example.org,,Neu\n"))
    assert "updated: 1" in out
    contact = Contact.objects.get()
    assert (contact.first_name, contact.last_name) == ("Anna", "Neu")


def test_known_source_id_changes_the_address(tmp_path):
    run(write(tmp_path, "email,id\nold@example.org,42\n", name="a.csv"))
    out = run(write(tmp_path, "email,id\nnew@example.org,42\n", name="b.csv"))
    assert "updated: 1" in out
    assert list(Contact.objects.values_list("email", "source_ref")) == [("new@example.org", "42")]
