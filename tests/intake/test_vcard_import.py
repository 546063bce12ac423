"""vCard 3 and 4 files: many cards, the preferred address, fields mapped, bad cards named."""

import pytest

from askfirst.contacts.models import Contact, Source

from .factories import emails, rejects, run, write

pytestmark = pytest.mark.django_db

CARDS = """BEGIN:VCARD\r
VERSION:3.0\r
N:Müller;Jürgen;;Dr.;\r
FN:Dr. Jürgen Müller\r
ORG:Müller & Söhne GmbH;Vertrieb\r
TITLE:Geschäftsführer\r
TEL;TYPE=WORK,VOICE:+49 221 123\r
ADR;TYPE=WORK:;;Hauptstraße 1;Köln;;50667;Deutschland\r
EMAIL;TYPE=INTERNET:private@example.de\r
EMAIL;TYPE=INTERNET,PREF:juergen@m
 ueller.de\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:4.0\r
FN:Ada Lovelace\r
EMAIL;PREF=2:second@example.org\r
EMAIL;PREF=1:ada@example.org\r
item1.TEL;VALUE=uri:tel:+44-20-1234\r
LANG:en\r
UID:urn:uuid:1234\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:3.0\r
FN:No Address\r
ORG:Nobody Inc.\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:4.0\r
FN:Bad Address\r
EMAIL:not-an-address\r
END:VCARD\r
"""


def test_cards_are_imported_and_bad_ones_rejected(tmp_path):
    path = write(tmp_path, CARDS, name="cards.vcf")
    out = run(path, command="import-vcard")
    assert "created: 2" in out and "rejected: 2" in out
    assert "card 3 (line 22): email: The email address is missing." in out
    assert "card 4 (line 27): email:" in out
    assert emails() == ["ada@example.org", "juergen@mueller.de"]
    jm = Contact.objects.get(email="juergen@mueller.de")
    assert (jm.first_name, jm.last_name, jm.company) == ("Jürgen", "Müller", "Müller & Söhne GmbH")
    assert (jm.position, jm.phone) == ("Geschäftsführer", "+49 221 123")
    assert (jm.street, jm.postal_code, jm.city, jm.country) == (
        "Hauptstraße 1",
        "50667",
        "Köln",
        "Deutschland",
    )
    assert jm.source == Source.BUSINESS_CARD
    ada = Contact.objects.get(email="ada@example.org")
    assert (ada.first_name, ada.last_name, ada.source_language) == ("Ada", "Lovelace", "en")
    assert ada.source_ref == "urn:uuid:1234"
    assert [row["reason"] for row in rejects(path)][0] == "email: The email address is missing."
    assert rejects(path)[0]["company"] == "Nobody Inc."


def test_reimporting_cards_changes_nothing(tmp_path):
    path = write(tmp_path, CARDS, name="cards.vcf")
    run(path, command="import-vcard")
    assert "unchanged: 2" in run(path, command="import-vcard")


def test_cp1252_card_and_a_file_without_cards(tmp_path):
    card = "BEGIN:VCARD\nVERSION:3.0\nN:Weiß;Jörg\nEMAIL:joerg@example.de\nEND:VCARD\n"
    run(write(tmp_path, card, name="a.vcf", encoding="cp1252"), command="import-vcard")
    assert Contact.objects.get().last_name == "Weiß"
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no vCard"):
        run(write(tmp_path, "hello\n", name="b.vcf"), command="import-vcard")
