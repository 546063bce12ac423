"""An erased person leaves no trace in stored uploads: their rejected rows (a duplicate
of their row, a row with a mistyped address, a row refused because of them) and the
report lines about those rows go; everybody else's stay."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from askfirst.contacts.models import Contact
from askfirst.contacts.services import contact_erase
from askfirst.intake.admin import upload_import
from askfirst.intake.models import ImportRun
from tests.erasure import rows_containing, sqlite_files_containing
from tests.factories import make_contact, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "wilhelmine.zauberfeld@erase-me.example"
FIRST = "Wilhelmine"
LAST = "Zauberfeldmann"
COMPANY = "Quastenflosser Werke"
NEEDLES = [EMAIL, FIRST, LAST, COMPANY]

# Line 2 creates the person; line 4 repeats them (in capitals) and is rejected as a
# duplicate; line 5 has their names with a mistyped address; lines 3 and 6 are others.
CSV = (
    "E-Mail;Vorname;Nachname;Firma\r\n"
    f"{EMAIL};{FIRST};{LAST};{COMPANY}\r\n"
    "otto@example.org;Otto;Bleibtreu;Bleibt GmbH\r\n"
    f"{EMAIL.upper()};{FIRST};{LAST};{COMPANY} (neu)\r\n"
    f"wilhelmine.zauberfeld@@erase-me.example;{FIRST};{LAST};{COMPANY}\r\n"
    "kaputt;Karla;Kaputtke;Kaputt AG\r\n"
)


def _upload(text: str, name: str = "kunden.csv") -> ImportRun:
    return upload_import(upload=SimpleUploadedFile(name, text.encode("utf-8")), user=make_staff())


def _rejected_lines(run: ImportRun) -> list[str]:
    run.refresh_from_db()
    rows = list(csv.reader(io.StringIO(run.rejects, newline=""), delimiter=";"))
    return sorted(row[0] for row in rows[1:])


def test_rejected_rows_of_the_person_go_with_the_person():
    run = _upload(CSV)
    assert (run.created, run.rejected) == (2, 3)
    assert _rejected_lines(run) == ["4", "5", "6"]
    assert rows_containing(NEEDLES)  # the scan finds them, in the contact and the upload

    contact_erase(contact=Contact.objects.get(email_key=EMAIL))

    assert rows_containing(NEEDLES) == []
    assert _rejected_lines(run) == ["6"]  # Karla's row is no business of this erasure
    assert "Kaputt AG" in run.rejects
    report = run.report.splitlines()
    assert report[0].startswith("created: 2")
    assert [line.split(":")[0] for line in report[1:]] == ["line 6"]


def test_a_report_that_quotes_the_address_loses_that_line():
    make_contact(email="holder@example.org", source="connector", source_ref="77")
    person = make_contact(email=EMAIL, first_name=FIRST, last_name=LAST)
    run = _upload(f"email,source,id\r\n{EMAIL},connector,77\r\nbad,,\r\n")
    assert f"line 2: {EMAIL} is a known contact" in run.report
    ImportRun.objects.filter(pk=run.pk).update(rejects="")  # past the retention

    contact_erase(contact=person)

    run.refresh_from_db()
    assert EMAIL not in run.report
    assert [line.split(":")[0] for line in run.report.splitlines()[1:]] == ["line 3"]


def test_a_card_of_the_person_in_punycode_goes():
    person = make_contact(email="anna@bücher.de", first_name="Anna", last_name="Blatt")
    cards = "".join(
        f"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:{name}\r\nEMAIL:{email}\r\nEND:VCARD\r\n"
        for name, email in [
            ("Anna Blatt", "ANNA@xn--bcher-kva.de"),
            ("Anna Blatt", "anna@xn--bcher-kva.de"),  # a duplicate: rejected
            ("Jo Anna", "jo.anna@bücher.de"),
            ("Jo Anna", "jo.anna@bücher.de"),  # a duplicate of somebody else
        ]
    )
    run = _upload(cards, name="cards.vcf")
    assert run.rejected == 2

    contact_erase(contact=person)

    run.refresh_from_db()
    assert "anna@xn--bcher-kva.de" not in run.rejects.lower()
    assert "jo.anna@bücher.de" in run.rejects  # a longer address is somebody else
    assert [line.split(":")[0] for line in run.report.splitlines()[1:]] == ["card 4 (line 16)"]


def test_a_rejected_card_with_a_huge_value_goes_too():
    person = make_contact(email=EMAIL, first_name=FIRST, last_name=LAST)
    huge = "Quaste " * 100_000  # longer than the csv module's default cell limit
    cards = (
        f"BEGIN:VCARD\r\nN:{LAST};{FIRST}\r\nEMAIL:{EMAIL}\r\nORG:{huge}\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nN:Kaputtke;Karla\r\nEMAIL:kaputt\r\nEND:VCARD\r\n"
    )
    run = _upload(cards, name="cards.vcf")
    assert run.rejected == 2
    limit = csv.field_size_limit(131072)  # as in a process that never read a CSV file
    try:
        contact_erase(contact=person)
    finally:
        csv.field_size_limit(limit)

    assert not Contact.objects.filter(pk=person.pk).exists()
    assert rows_containing(NEEDLES) == []
    run.refresh_from_db()
    assert "Karla" in run.rejects and "card 2 (line 6)" in run.report


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_files_hold_no_bytes_of_the_rejected_rows_after_erasure():
    _upload(CSV)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1
    assert sqlite_files_containing(NEEDLES)

    contact_erase(contact=Contact.objects.get(email_key=EMAIL))

    assert sqlite_files_containing(NEEDLES) == []
