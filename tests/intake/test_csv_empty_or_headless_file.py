"""Files that cannot be imported at all: a clear error and no change."""

import pytest
from django.core.management.base import CommandError

from askfirst.contacts.models import Contact
from tests.factories import make_contact

from .factories import run, write

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"email;Vorname\r\n", "a header but no rows"),
        (b"\xef\xbb\xbfemail,name\n\n\n", "a header but no rows"),
        (b"Vorname;Nachname\nErika;M\n", "The file has no email column"),
        (b"email\n\x81\xff\xfe\x8d\n", "neither UTF-8 nor Windows-1252"),
    ],
)
def test_nothing_changes(tmp_path, content, message):
    known = make_contact(first_name="Kept")
    path = write(tmp_path, content)
    with pytest.raises(CommandError, match=message):
        run(path)
    assert list(Contact.objects.values_list("pk", "first_name")) == [(known.pk, "Kept")]
    assert not path.with_name("contacts.rejects.csv").exists()


def test_rejects_path_option(tmp_path):
    path = write(tmp_path, "email\nbad\n")
    target = tmp_path / "elsewhere.csv"
    out = run(path, rejects=str(target))
    assert str(target) in out and target.exists()
