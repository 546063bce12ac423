"""Deleting a contact in the admin erases the person and logs nothing about them."""

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.utils import timezone

from askfirst.consent.models import ConsentEvent, ConsentState
from askfirst.consent.services import Proof, consent_record
from askfirst.contacts.models import Contact, ErasureCount
from tests.admin.conftest import messages_of, run_action
from tests.factories import make_contact

pytestmark = pytest.mark.django_db

NAME = "Wunibald"
SURNAME = "Quirlmeier"


def _person(staff, n=1):
    contact = make_contact(
        email=f"wunibald{n}@quirl.example", first_name=NAME, last_name=f"{SURNAME}{n}"
    )
    consent_record(
        contact=contact,
        purpose_key="storage",
        granted=True,
        proof=Proof(channel="staff", staff_user=staff, evidence=f"{NAME} agreed by phone"),
    )
    return contact


def _log_mentions_anyone() -> list[str]:
    found = []
    for entry in LogEntry.objects.all():
        text = f"{entry.object_id} {entry.object_repr} {entry.change_message}"
        if NAME in text or SURNAME in text or "quirl.example" in text:
            found.append(text)
    return found


def test_the_confirmation_page_warns_and_is_not_blocked_by_the_ledger(staff_client, staff):
    contact = _person(staff)
    response = staff_client.get(f"/admin/contacts/contact/{contact.pk}/delete/")
    assert response.status_code == 200
    assert not response.context["perms_lacking"]
    assert b"erases the person completely" in response.content


def test_deleting_one_contact_erases_it(staff_client, staff):
    survivor = make_contact(first_name="Otto")
    contact = _person(staff)
    # Editing in the admin wrote a change-log entry naming the person.
    edit = {"email": contact.email, "first_name": NAME, "last_name": SURNAME, "kind": "customer"}
    saved = staff_client.post(f"/admin/contacts/contact/{contact.pk}/change/", edit, follow=True)
    assert saved.redirect_chain
    assert _log_mentions_anyone()

    response = staff_client.post(
        f"/admin/contacts/contact/{contact.pk}/delete/", {"post": "yes"}, follow=True
    )

    assert response.status_code == 200
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert not ConsentEvent.objects.filter(contact_id=contact.pk).exists()
    assert not ConsentState.objects.filter(contact_id=contact.pk).exists()
    assert Contact.objects.filter(pk=survivor.pk).exists()
    assert ErasureCount.objects.get(day=timezone.localdate()).count == 1
    assert _log_mentions_anyone() == []
    assert not LogEntry.objects.filter(object_id=str(contact.pk)).exists()
    # Who erased is kept; whom is not.
    [entry] = LogEntry.objects.filter(action_flag=DELETION)
    assert (entry.user, entry.object_id, entry.object_repr) == (staff, None, "erased contact")
    assert messages_of(response) == [
        "The contact was erased. Only the number of erasures per day remains."
    ]
    assert NAME not in response.content.decode()


def test_the_bulk_delete_action_erases_every_selected_contact(staff_client, staff):
    people = [_person(staff, n) for n in (1, 2, 3)]

    confirm = run_action(staff_client, "delete_selected", people)
    assert confirm.status_code == 200
    assert not confirm.context["perms_lacking"]
    response = run_action(staff_client, "delete_selected", people, post="yes")

    assert response.status_code == 200
    assert not Contact.objects.filter(pk__in=[p.pk for p in people]).exists()
    assert ErasureCount.objects.get(day=timezone.localdate()).count == 3
    assert _log_mentions_anyone() == []
    assert LogEntry.objects.filter(action_flag=DELETION).count() == 3


def test_deactivate_is_offered_instead_and_keeps_only_the_address(staff_client, staff):
    contact = _person(staff)
    already = make_contact()
    run_action(staff_client, "deactivate", [already], post="yes")

    confirm = run_action(staff_client, "deactivate", [contact, already])
    assert b"cannot be undone" in confirm.content
    contact.refresh_from_db()
    assert contact.status != "deactivated"  # nothing happens before the confirmation

    response = run_action(staff_client, "deactivate", [contact, already], post="yes")

    contact.refresh_from_db()
    assert contact.status == "deactivated"
    assert (contact.first_name, contact.last_name) == ("", "")
    assert contact.email == "wunibald1@quirl.example"
    last = ConsentEvent.objects.filter(contact=contact).order_by("-seq").first()
    assert (last.action, last.channel, last.staff_user) == ("withdrawn", "staff", staff)
    assert last.evidence == "Deactivated by staff"
    assert ConsentState.objects.get(contact=contact, purpose__key="storage").granted is False
    assert messages_of(response) == [
        "1 contact deactivated: only the address is kept, never contacted.",
        "1 contact skipped: deactivated already",
    ]
    # A deactivated contact keeps only the address; its page offers nothing to fill in.
    page = staff_client.get(f"/admin/contacts/contact/{contact.pk}/change/")
    assert "first_name" not in page.context["adminform"].form.fields
