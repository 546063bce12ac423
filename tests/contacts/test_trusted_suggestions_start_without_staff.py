"""ASKFIRST_AUTO_LANGUAGE: suggestions from trusted signs start the request without staff.

PRODUCT.md §2: "an operator may let confident suggestions start without a
human". Off by default; the operator names the signs trusted (the source's
language field, the country, the address domain). Every intake path (one
contact, bulk import) and an update of a contact still waiting behave alike.
"""

import io

import pytest
from django.db import transaction

from askfirst.contacts.bulk import contacts_bulk_upsert
from askfirst.contacts.inputs import parse_contact
from askfirst.contacts.models import Contact, Status
from askfirst.contacts.services import contact_choose_language, contact_upsert
from askfirst.intake.services import import_file, source_open
from askfirst.lifecycle.reports import contact_timeline
from askfirst.lifecycle.services import lifecycle_advance
from askfirst.mail.models import Outbox
from tests.factories import make_contact, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

CSV = (
    "email,country,language\n"
    "koeln@example.com,Deutschland,\n"  # country: German
    "paris@example.com,France,\n"  # country: English
    "wien@example.at,,\n"  # only the domain
    "lang@example.com,,de\n"  # the source's language
    "nothing@example.com,,\n"  # no sign at all
)


def _state():
    rows = Contact.objects.values_list(
        "email", "status", "mail_language", "language_chosen_automatically"
    )
    return {email: (status, language, auto) for email, status, language, auto in rows}


def _import(text: str):
    return import_file(source=source_open(binary=io.BytesIO(text.encode()), kind="csv"))


def test_off_by_default_everyone_waits_for_staff():
    _import(CSV)
    assert set(Contact.objects.values_list("status", flat=True)) == {Status.QUEUED}


def test_trusted_signs_start_at_once_on_import(settings):
    settings.ASKFIRST_AUTO_LANGUAGE = ["country", "source_language"]
    _import(CSV)
    assert _state() == {
        "koeln@example.com": ("asking", "de", True),
        "paris@example.com": ("asking", "en", True),
        "wien@example.at": ("queued", "", False),  # the domain is not trusted here
        "lang@example.com": ("asking", "de", True),
        "nothing@example.com": ("queued", "", False),
    }
    started = Contact.objects.get(email="koeln@example.com")
    assert started.language_chosen_by is None
    assert started.next_action_at == started.asking_since == started.language_chosen_at
    assert started.lifecycle_step == 0


def test_one_by_one_and_bulk_agree(settings):
    settings.ASKFIRST_AUTO_LANGUAGE = ["domain"]
    rows = [
        {"email": "a@example.de"},
        {"email": "b@example.com", "country": "Deutschland"},
        {"email": "c@example.ch", "country": "Schweiz"},
    ]
    inputs = [parse_contact(row, default_source="import") for row in rows]
    with transaction.atomic():
        for data in inputs:
            contact_upsert(data=data)
        expected = _state()
        transaction.set_rollback(True)
    contacts_bulk_upsert(inputs=inputs)
    assert _state() == expected
    assert expected["a@example.de"] == ("asking", "de", True)
    assert expected["b@example.com"] == ("queued", "", False)  # country wins, not trusted
    assert expected["c@example.ch"] == ("queued", "", False)


@pytest.mark.parametrize("path", ["one", "bulk"])
def test_a_waiting_contact_starts_when_an_update_brings_a_trusted_sign(settings, path):
    settings.ASKFIRST_AUTO_LANGUAGE = ["country"]
    waiting = make_contact(email="later@example.com")
    asking = make_contact(email="asking@example.com")
    contact_choose_language(contact=asking, language="en", user=make_staff())
    assert waiting.status == Status.QUEUED
    rows = [
        {"email": "later@example.com", "country": "Österreich"},
        {"email": "asking@example.com", "country": "Deutschland"},
    ]
    inputs = [parse_contact(row, default_source="import") for row in rows]
    if path == "one":
        for data in inputs:
            contact_upsert(data=data)
    else:
        contacts_bulk_upsert(inputs=inputs)
    assert _state()["later@example.com"] == ("asking", "de", True)
    # A process already running is never restarted, nor its language changed.
    assert _state()["asking@example.com"] == ("asking", "en", False)


def test_the_request_goes_out_and_the_timeline_says_who_chose(settings):
    settings.ASKFIRST_AUTO_LANGUAGE = ["country"]
    contact, _outcome = contact_upsert(
        data=parse_contact({"email": "x@example.com", "country": "DE"}, default_source="api")
    )
    assert lifecycle_advance().mails == 1
    assert Outbox.objects.get(contact=contact).name == "request"
    chosen = [e for e in contact_timeline(contact) if e.title.startswith("Mail language chosen")]
    assert chosen[0].details == (("by", "automatically, from the suggestion"),)
