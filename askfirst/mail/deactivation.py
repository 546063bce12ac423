"""What the mail app must not keep about a person who is deactivated.

A rendered mail holds what the contact row held when it was written: the name,
company, position, phone, address and interests (the request's "what we store"
list). Deactivation wipes those from the contact, so the mails go too; the
rows stay as metadata (which mail, when, to which address, in which state),
as the do-not-contact record keeps the address.
"""

from django.utils import timezone

from askfirst.contacts.models import Contact
from askfirst.mail.models import DUE_STATES, FINAL_STATES, DemoMail, Outbox, OutboxState

# The suppression reason, as mail delivery gives it (askfirst/mail/delivery.py).
REASON = "contact deactivated"


def mail_deactivate(*, contact: Contact) -> None:
    """Part of every deactivation (ASKFIRST_DEACTIVATION_STEPS).

    Finished mails lose their body now, not after ASKFIRST_MAIL_RETENTION;
    mails still waiting are suppressed and lose theirs (delivery would hold
    them back anyway). A mail a worker is sending this moment is left to it:
    delivery suppresses it if it must try again, and the retention blanks it.
    The deactivation schedules the scrub that takes the old bytes out of the
    database files. Copies in the demo mailbox go as at erasure.
    """
    mails = Outbox.objects.filter(contact=contact)
    mails.filter(state__in=FINAL_STATES).exclude(message="").update(message="")
    mails.filter(state__in=DUE_STATES).update(
        message="",
        state=OutboxState.SUPPRESSED,
        finished_at=timezone.now(),
        claimed_by="",
        last_error=REASON,
    )
    DemoMail.objects.filter(recipients__icontains=contact.email_key).delete()
