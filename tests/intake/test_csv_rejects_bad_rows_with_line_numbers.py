"""Bad rows are rejected with their physical line and reason; good rows land."""

import pytest

from askfirst.contacts.models import Contact

from .factories import emails, rejects, run, write

pytestmark = pytest.mark.django_db


def test_invalid_addresses_are_rejected_with_line_and_reason(tmp_path):
    text = (
        "email,first name\n"  # line 1
        "good@example.org,Anna\n"  # 2
        "no-at-sign,Bob\n"  # 3
        ",Carl\n"  # 4
        "dora@localhost,Dora\n"  # 5
        "eve@example.org,Eve\n"  # 6
    )
    path = write(tmp_path, text)
    out = run(path)
    assert "created: 2" in out and "rejected: 3" in out
    assert "line 3: email:" in out and "line 4: email: The email address is missing." in out
    assert "line 5: email:" in out
    assert emails() == ["eve@example.org", "good@example.org"]
    rows = rejects(path)
    assert [row["line"] for row in rows] == ["3", "4", "5"]
    assert [row["first name"] for row in rows] == ["Bob", "Carl", "Dora"]
    assert all(row["reason"].startswith("email:") for row in rows)


def test_line_numbers_count_quoted_newlines(tmp_path):
    text = 'email,street\na@example.org,"one\ntwo\nthree"\nbroken,x\n'
    path = write(tmp_path, text)
    assert "line 5: email:" in run(path)


def test_wrong_field_count_mid_file(tmp_path):
    text = (
        "email,first name,city\n"
        "a@example.org,A,Köln\n"
        "b@example.org,B,Köln,extra\n"
        "c@example.org,C,Bonn\n"
    )
    path = write(tmp_path, text)
    out = run(path)
    assert "line 3: the row has 4 fields, the header has 3" in out
    assert emails() == ["a@example.org", "c@example.org"]
    assert rejects(path)[0]["line"] == "3"


def test_unbalanced_quote_is_named_and_swallows_nothing_silently(tmp_path):
    text = (
        "email,first name,city\n"
        "a@example.org,A,Köln\n"
        'b@example.org,"B,Köln\n'  # the quote never closes
        "c@example.org,C,Bonn\n"
        "d@example.org,D,Bonn\n"
    )
    path = write(tmp_path, text)
    out = run(path)
    assert "line 3: a quote opened in this row is not closed" in out
    assert emails() == ["a@example.org"]
    # The swallowed rows are in the rejects file, to be fixed and imported again.
    assert "c@example.org" in rejects(path)[0]["first name"]


def test_too_long_field_rejects_the_row_not_the_file(tmp_path):
    text = f"email,last name\na@example.org,{'x' * 151}\nb@example.org,ok\n"
    out = run(write(tmp_path, text))
    assert "line 2: last_name: is longer than 150 characters (151)" in out
    assert emails() == ["b@example.org"]
    assert Contact.objects.count() == 1
