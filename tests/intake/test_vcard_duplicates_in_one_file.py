"""The same person twice in one vCard file: the first card wins, the later one is named."""

import pytest
from django.test import override_settings

from askfirst.contacts.models import Contact

from .factories import rejects, run, write

pytestmark = pytest.mark.django_db


def _card(email: str, name: str, uid: str = "") -> str:
    uid_line = f"UID:{uid}\r\n" if uid else ""
    return (
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:{name};Anna\r\nEMAIL:{email}\r\n{uid_line}END:VCARD\r\n"
    )


def test_first_card_wins_in_any_case(tmp_path):
    text = (
        _card("anna@example.org", "First")  # lines 1-5
        + _card("bob@example.org", "Bob")  # lines 6-10
        + _card("ANNA@Example.ORG", "Second")  # lines 11-15
    )
    path = write(tmp_path, text, name="cards.vcf")
    out = run(path, command="import-vcard")
    assert "created: 2" in out and "rejected: 1" in out
    assert "card 3 (line 11): duplicate of line 1 (the first occurrence wins)" in out
    assert Contact.objects.get(email_key="anna@example.org").last_name == "First"
    [rejected] = rejects(path)
    assert (rejected["line"], rejected["last name"]) == ("11", "Second")


@override_settings(ASKFIRST_IMPORT_BATCH=1)
def test_same_uid_twice_across_batches(tmp_path):
    text = _card("a@example.org", "A", uid="urn:uuid:1") + _card("b@example.org", "B", "urn:uuid:1")
    out = run(write(tmp_path, text, name="cards.vcf"), command="import-vcard")
    assert "card 2 (line 7): duplicate of line 1" in out
    assert Contact.objects.get().email == "a@example.org"
