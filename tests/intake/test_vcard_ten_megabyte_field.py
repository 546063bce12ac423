"""A 10 MB vCard value is read, then its card is rejected as too long; the file goes on."""

import pytest

from askfirst.contacts.models import Contact

from .factories import emails, run, write

pytestmark = pytest.mark.django_db

HUGE = "x" * (10 * 1024 * 1024)


def _card(email: str, org: str, extra: str = "") -> str:
    lines = ["BEGIN:VCARD", "VERSION:4.0", "FN:A B", f"EMAIL:{email}", f"ORG:{org}"]
    return "\r\n".join(lines) + f"\r\n{extra}END:VCARD\r\n"


def test_ten_megabyte_company_is_a_clear_rejection(tmp_path):
    cards = [("a@x.org", "ACME"), ("b@x.org", HUGE), ("c@x.org", "Co")]
    text = "".join(_card(email, org) for email, org in cards)
    path = write(tmp_path, text, name="cards.vcf")
    out = run(path, command="import-vcard")
    assert "card 2 (line 7): company: is longer than 200 characters (10485760)" in out
    assert emails() == ["a@x.org", "c@x.org"]
    # The rejects file holds the card as read (import-csv takes cells this large).
    assert HUGE in path.with_name("cards.rejects.csv").read_text(encoding="utf-8-sig")


def test_ten_megabyte_folded_value_is_unfolded_and_rejected(tmp_path):
    folded = "\r\n ".join(HUGE[i : i + 74] for i in range(0, len(HUGE), 74))
    text = _card("a@example.org", "ACME") + _card("b@example.org", folded)
    out = run(write(tmp_path, text, name="cards.vcf"), command="import-vcard")
    assert "card 2 (line 7): company: is longer than 200 characters (10485760)" in out
    assert emails() == ["a@example.org"]


def test_ten_megabyte_unused_property_changes_nothing(tmp_path):
    text = _card("a@example.org", "ACME", extra=f"NOTE:{HUGE}\r\nPHOTO:data:{HUGE}\r\n")
    out = run(write(tmp_path, text, name="cards.vcf"), command="import-vcard")
    assert "created: 1" in out and "rejected: 0" in out
    assert Contact.objects.get().company == "ACME"


def test_ten_megabyte_address_is_rejected_by_length(tmp_path):
    text = _card(f"{HUGE}@example.org", "ACME") + _card("c@example.org", "Co")
    out = run(write(tmp_path, text, name="cards.vcf"), command="import-vcard")
    assert "card 1 (line 1): email: The email address is longer than 254 characters." in out
    assert emails() == ["c@example.org"]
