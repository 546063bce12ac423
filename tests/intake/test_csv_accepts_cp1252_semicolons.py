"""German Excel: Windows-1252, semicolons, German headers; UTF-8 with a BOM too."""

import pytest

from askfirst.contacts.models import Contact, Source

from .factories import rejects, run, write

pytestmark = pytest.mark.django_db

GERMAN = (
    "E-Mail-Adresse;Vorname;Nachname;Firma;Position;Telefon;Straße;PLZ;Ort;Land;Sprache;ID\r\n"
    "joerg@example.de;Jörg;Müßig;Bäckerei Ä;Meister;0221 1;Hauptstraße 1;50667;Köln;"
    "Deutschland;de;crm-1\r\n"
)


def test_cp1252_semicolons_and_german_headers(tmp_path):
    path = write(tmp_path, GERMAN, encoding="cp1252")
    out = run(path)
    assert "created: 1" in out
    contact = Contact.objects.get()
    assert (contact.first_name, contact.last_name) == ("Jörg", "Müßig")
    assert (contact.company, contact.position, contact.phone) == ("Bäckerei Ä", "Meister", "0221 1")
    assert (contact.street, contact.postal_code, contact.city) == ("Hauptstraße 1", "50667", "Köln")
    assert (contact.country, contact.source_language) == ("Deutschland", "de")
    assert (contact.source, contact.source_ref) == (Source.IMPORT, "crm-1")
    assert contact.suggested_language == "de"
    assert rejects(path) == []


def test_utf8_bom_commas_and_header_spelling(tmp_path):
    text = "\ufeff E-MAIL , First Name,last_name, postal code\nzoe@example.org,Zoë,Ångström,1010\n"
    path = write(tmp_path, text)
    assert "created: 1" in run(path)
    contact = Contact.objects.get()
    assert (contact.email, contact.first_name, contact.last_name) == (
        "zoe@example.org",
        "Zoë",
        "Ångström",
    )
    assert contact.postal_code == "1010"


def test_quoted_newlines_stay_in_their_field(tmp_path):
    text = 'email,street,city\na@example.org,"c/o Firma\nHauptstr. 1",Berlin\nb@example.org,,Bonn\n'
    path = write(tmp_path, text)
    assert "created: 2" in run(path)
    assert Contact.objects.get(email="a@example.org").street == "c/o Firma\nHauptstr. 1"


def test_source_column_overrides_import(tmp_path):
    path = write(tmp_path, "email,source\na@example.org,form\nb@example.org,\n")
    run(path)
    assert dict(Contact.objects.values_list("email", "source")) == {
        "a@example.org": "form",
        "b@example.org": "import",
    }
