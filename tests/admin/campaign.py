"""Contacts at every point of the consent request, made through the real services."""

from datetime import timedelta

from django.utils import timezone

from askfirst.consent.services import Proof, consent_record, contact_deactivate
from askfirst.contacts.services import contact_choose_language
from askfirst.lifecycle.services import lifecycle_advance
from tests.factories import make_contact

SCHEDULE = tuple(timedelta(days=d) for d in (0, 7, 14, 21, 28, 30))


def advance_all() -> None:
    """One worker round far in the future: every asking contact moves one step."""
    lifecycle_advance(now=timezone.now() + timedelta(days=365))


def choose(contact, staff, language: str = "de"):
    return contact_choose_language(contact=contact, language=language, user=staff)


def grant(contact, purpose: str = "storage", channel: str = "mail_link"):
    return consent_record(
        contact=contact,
        purpose_key=purpose,
        granted=True,
        proof=Proof(channel=channel, language="de"),
    )


def staff_grant(contact, staff, purpose: str = "storage", note: str = "Agreed by phone"):
    return consent_record(
        contact=contact,
        purpose_key=purpose,
        granted=True,
        proof=Proof(channel="staff", staff_user=staff, evidence=note, language="de"),
    )


def deactivate(contact, staff):
    return contact_deactivate(
        contact=contact,
        proof=Proof(channel="staff", staff_user=staff, evidence="Asked us by phone"),
    )


def build_campaign(staff) -> dict:
    """A known mix; the caller sets ASKFIRST_SCHEDULE = SCHEDULE and CUSTOMER_EXPIRY=restrict.

    queued 2 · asking 2 (one at step 3, one at step 1) · answered 2 (one by mail
    link with newsletter, one by staff) · deactivated 1 · restricted 1 · erased 1.
    """
    queued = [make_contact(), make_contact()]
    restricted = choose(make_contact(kind="customer"), staff)
    erased = choose(make_contact(kind="prospect"), staff)
    answered = choose(make_contact(), staff)
    deactivated = choose(make_contact(), staff)
    by_staff = make_contact()
    staff_grant(by_staff, staff)

    advance_all()  # round 1: request to restricted, erased, answered, deactivated
    grant(answered)
    grant(answered, "newsletter")
    advance_all()  # round 2
    deactivate(deactivated, staff)
    advance_all()  # round 3
    late = choose(make_contact(), staff)
    advance_all()  # round 4
    advance_all()  # round 5
    latest = choose(make_contact(), staff)
    advance_all()  # round 6: expiry for restricted and erased; late at step 3, latest at 1
    return {
        "queued": queued,
        "restricted": restricted,
        "erased": erased,
        "answered": answered,
        "deactivated": deactivated,
        "by_staff": by_staff,
        "late": late,
        "latest": latest,
    }


def started_days_ago(contact, days: int):
    """Pretend staff chose the language `days` ago (and the contact arrived just before)."""
    from askfirst.contacts.models import Contact

    start = timezone.now() - timedelta(days=days)
    Contact.objects.filter(pk=contact.pk).update(
        created_at=start - timedelta(minutes=5),
        language_chosen_at=start,
        asking_since=start,
        next_action_at=start,
    )
    contact.refresh_from_db()
    return contact


def advance_when_due(contact):
    """One worker round at the moment the contact's next step is due."""
    contact.refresh_from_db()
    lifecycle_advance(now=contact.next_action_at)
    contact.refresh_from_db()
    return contact
