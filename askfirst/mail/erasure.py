"""What the mail app holds about a person outside rows that cascade from the contact."""

from askfirst.contacts.models import Contact
from askfirst.mail.models import Bounce, DemoMail


def mail_forget(*, contact: Contact) -> None:
    """Part of erasure: bounce records and demo-mailbox copies name the address."""
    Bounce.objects.filter(email_key=contact.email_key).delete()
    DemoMail.objects.filter(recipients__icontains=contact.email_key).delete()
