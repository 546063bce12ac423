"""vCard 4 writes a phone as a tel: URI; the contact gets the number, not the URI."""

import pytest

from askfirst.contacts.models import Contact

from .factories import run, write

pytestmark = pytest.mark.django_db


def _card(email: str, tel: str) -> str:
    return f"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A B\r\nEMAIL:{email}\r\n{tel}\r\nEND:VCARD\r\n"


@pytest.mark.parametrize(
    ("tel", "phone"),
    [
        ("item1.TEL;VALUE=uri:tel:+44-20-1234", "+44-20-1234"),
        ("TEL;VALUE=uri;TYPE=work:TEL:+49-221-123", "+49-221-123"),
        ("TEL;VALUE=uri:tel:+1-201-555-0123;ext=42", "+1-201-555-0123 ext. 42"),
        ("TEL;TYPE=cell:+49 171 5551234", "+49 171 5551234"),  # vCard 3: text, kept
    ],
)
def test_phone_is_the_number(tmp_path, tel, phone):
    run(write(tmp_path, _card("a@example.org", tel), name="a.vcf"), command="import-vcard")
    assert Contact.objects.get().phone == phone
