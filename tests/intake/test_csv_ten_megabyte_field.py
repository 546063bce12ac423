"""A 10 MB cell is read, then its row is rejected as too long; the file goes on."""

import pytest

from .factories import emails, rejects, run, write

pytestmark = pytest.mark.django_db


def test_ten_megabyte_field_is_a_clear_rejection(tmp_path):
    huge = "x" * (10 * 1024 * 1024)
    text = f"email,company\na@example.org,ACME\nb@example.org,{huge}\nc@example.org,Co\n"
    path = write(tmp_path, text)
    out = run(path)
    assert "line 3: company: is longer than 200 characters (10485760)" in out
    assert emails() == ["a@example.org", "c@example.org"]
    assert rejects(path)[0]["company"] == huge
