"""After erasure, neither the address nor the names remain in any table or file."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from askfirst.consent.services import Proof, consent_record
from askfirst.contacts.models import Contact, ErasureCount, Topic
from askfirst.contacts.services import contact_erase
from askfirst.mail.models import Bounce, DemoMail
from askfirst.portal.models import Throttle
from askfirst.portal.throttle import throttle_hit
from tests.erasure import rows_containing, sqlite_files_containing
from tests.factories import make_contact, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "wilhelmine.zauberfeld@erase-me.example"
FIRST = "Wilhelmine"
LAST = "Zauberfeldmann"
COMPANY = "Quastenflosser Werke"


def _person_known_everywhere():
    staff = make_staff()
    contact = make_contact(email=EMAIL, first_name=FIRST, last_name=LAST, company=COMPANY)
    topic = Topic.objects.create(key="events", label_de="Veranstaltungen", label_en="Events")
    contact.topics.add(topic)
    portal = Proof(channel="portal", language="de")
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=portal)
    consent_record(contact=contact, purpose_key="newsletter", granted=True, proof=portal)
    consent_record(
        contact=contact,
        purpose_key="tracking",
        granted=True,
        proof=Proof(channel="staff", staff_user=staff, evidence=f"{FIRST} agreed by phone"),
    )
    Bounce.objects.create(email_key=contact.email_key, code=550, reason="no such user")
    DemoMail.objects.create(
        mail_from="askfirst@example.com",
        recipients=contact.email,
        subject=f"Hallo {FIRST}",
        text=f"Guten Tag {FIRST} {LAST}",
        raw="",
    )
    throttle_hit(
        scope="link-address", value=contact.email_key, window=timedelta(hours=1), now=timezone.now()
    )
    LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=str(contact.pk),
        object_repr=str(contact),
        action_flag=ADDITION,
        action_time=timezone.now(),
    )
    return contact


def test_no_table_holds_the_person_after_erasure():
    survivor = make_contact(first_name="Otto", last_name="Bleibtreu")
    contact = _person_known_everywhere()
    assert rows_containing([EMAIL, FIRST, LAST, COMPANY])  # the scan does find them

    contact_erase(contact=contact)

    assert rows_containing([EMAIL, FIRST, LAST, COMPANY]) == []
    assert Throttle.objects.count() == 0  # its key is a keyed hash of the address
    assert Contact.objects.filter(pk=survivor.pk).exists()
    assert ErasureCount.objects.get(day=timezone.localdate()).count == 1


def test_erasure_counts_per_day_without_names():
    contact_erase(contact=make_contact())
    contact_erase(contact=make_contact())
    assert ErasureCount.objects.get(day=timezone.localdate()).count == 2


def test_erasing_twice_is_harmless():
    contact = make_contact()
    contact_erase(contact=contact)
    contact_erase(contact=contact)
    assert ErasureCount.objects.get(day=timezone.localdate()).count == 1


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_files_hold_no_bytes_of_the_person_after_erasure():
    contact = _person_known_everywhere()
    needles = [EMAIL, FIRST, LAST, COMPANY]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1
    assert sqlite_files_containing(needles)  # they are on disk before

    contact_erase(contact=contact)

    assert sqlite_files_containing(needles) == []
