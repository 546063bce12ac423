"""One person, many spellings: case and Punycode meet on one contact."""

import pytest

from askfirst.contacts.models import Contact

from .factories import run, write

pytestmark = pytest.mark.django_db


def test_idn_and_punycode_meet_on_one_contact(tmp_path):
    run(write(tmp_path, "email,first name\nuser@bücher.de,Ute\n", name="a.csv"))
    out = run(write(tmp_path, "email,first name\nuser@xn--bcher-kva.de,Ute\n", name="b.csv"))
    assert "unchanged: 1" in out
    assert Contact.objects.get().email == "user@bücher.de"


def test_other_case_updates_the_known_contact(tmp_path):
    run(write(tmp_path, "email,first name\nAnna@Example.org,Anna\n", name="a.csv"))
    out = run(write(tmp_path, "email,first name\nanna@EXAMPLE.ORG,Anna\n", name="b.csv"))
    assert "updated: 1" in out  # the spelling changed; still one contact
    assert Contact.objects.count() == 1
