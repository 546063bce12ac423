"""vCard files that cannot be imported at all: a clear error and no change."""

import pytest
from django.core.management.base import CommandError

from askfirst.contacts.models import Contact
from tests.factories import make_contact

from .factories import run, write


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\r\n\r\n  \r\n", "The file holds no vCard"),
        (b"\xef\xbb\xbf", "The file holds no vCard"),
        (b"VERSION:4.0\r\nEMAIL:loose@example.org\r\n", "The file holds no vCard"),
        (b"BEGIN:VCARD\r\nEMAIL:x@example.org\r\n\x81\x8d\r\nEND:VCARD\r\n",
         "neither UTF-8 nor Windows-1252"),
    ],
)  # fmt: skip
def test_nothing_changes(tmp_path, content, message):
    known = make_contact(first_name="Kept")
    path = write(tmp_path, content, name="cards.vcf")
    with pytest.raises(CommandError, match=message):
        run(path, command="import-vcard")
    assert list(Contact.objects.values_list("pk", "first_name")) == [(known.pk, "Kept")]
    assert not path.with_name("cards.rejects.csv").exists()
