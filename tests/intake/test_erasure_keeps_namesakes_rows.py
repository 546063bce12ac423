"""An erasure takes a rejected row by the names only when its address cell could be
the person's mistyped one: a namesake's row with their own valid address stays."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from askfirst.contacts.services import contact_erase
from askfirst.intake.admin import upload_import
from askfirst.intake.models import ImportRun
from tests.factories import make_contact, make_staff

pytestmark = pytest.mark.django_db


def _upload(text: str) -> ImportRun:
    return upload_import(
        upload=SimpleUploadedFile("kunden.csv", text.encode("utf-8")), user=make_staff()
    )


def test_a_namesake_with_another_address_stays_a_mistyped_row_goes():
    person = make_contact(email="anna.schmidt@example.org", first_name="Anna", last_name="Schmidt")
    run = _upload(
        "Vorname;Nachname;E-Mail;Firma\r\n"
        "Anna;Schmidt;a.schmidt@other-company.de;Erste\r\n"
        "Anna;Schmidt;a.schmidt@other-company.de;Zweite\r\n"  # a duplicate: rejected
        "Anna;Schmidt;anna.schmidt@@example.org;Dritte\r\n"  # mistyped: hers
        "Anna;Schmidt;;Vierte\r\n"  # no address: may be hers
        "Otto;Bleibtreu;kaputt;Fünfte\r\n"
    )
    assert run.rejected == 4

    contact_erase(contact=person)

    run.refresh_from_db()
    assert "a.schmidt@other-company.de" in run.rejects
    assert "anna.schmidt@@example.org" not in run.rejects
    assert "Vierte" not in run.rejects
    assert "Bleibtreu" in run.rejects
    assert sorted(line.split(":")[0] for line in run.report.splitlines()[1:]) == [
        "line 3",
        "line 6",
    ]
