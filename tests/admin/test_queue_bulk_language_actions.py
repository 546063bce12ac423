"""Staff work through the language queue with bulk actions, filters and search."""

import pytest

from askfirst.contacts.models import Contact, Status
from askfirst.contacts.services import contact_choose_language
from tests.admin.conftest import messages_of, run_action
from tests.factories import make_contact

pytestmark = pytest.mark.django_db


def _reload(*contacts):
    return [Contact.objects.get(pk=c.pk) for c in contacts]


def test_the_queue_is_linked_from_the_admin_index(staff_client):
    make_contact()
    index = staff_client.get("/admin/")
    assert index.status_code == 200
    assert b"/admin/contacts/contact/?status__exact=queued" in index.content

    changelist = staff_client.get("/admin/contacts/contact/")
    assert b"Language queue (1 waiting)" in changelist.content


def test_the_queue_lists_waiting_contacts_with_suggestion_and_reason(staff_client, staff):
    waiting = make_contact(
        email="anna@firma.de", first_name="Anna", last_name="Wartend", company="Firma GmbH"
    )
    started = make_contact(email="bert@firma.de", first_name="Bert", last_name="Gestartet")
    contact_choose_language(contact=started, language="de", user=staff)

    response = staff_client.get("/admin/contacts/contact/?status__exact=queued")

    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown == [waiting]
    content = response.content.decode()
    assert "anna@firma.de" in content
    assert "Anna Wartend" in content
    assert "Firma GmbH" in content
    assert "German (address domain .de)" in content
    assert "bert@firma.de" not in content


@pytest.mark.parametrize(
    ("action", "language"),
    [("choose_german", "de"), ("choose_english", "en"), ("choose_bilingual", "de+en")],
)
def test_choosing_a_language_starts_the_consent_process(staff_client, staff, action, language):
    first, second = make_contact(), make_contact()

    response = run_action(staff_client, action, [first, second])

    assert response.status_code == 200
    for contact in _reload(first, second):
        assert contact.status == Status.ASKING
        assert contact.mail_language == language
        assert contact.language_chosen_by == staff
        assert contact.language_chosen_at is not None
    assert messages_of(response) == [
        "Mail language chosen for 2 contacts; their consent requests start."
    ]


def test_contacts_not_in_the_queue_are_skipped_with_a_message(staff_client, staff):
    queued = make_contact()
    started = [make_contact() for _ in range(3)]
    for contact in started:
        contact_choose_language(contact=contact, language="en", user=staff)

    response = run_action(staff_client, "choose_german", [queued, *started])

    assert messages_of(response) == [
        "Mail language chosen for 1 contact; its consent request starts.",
        "3 contacts skipped: not waiting for a language",
    ]
    assert _reload(queued)[0].mail_language == "de"
    assert {c.mail_language for c in _reload(*started)} == {"en"}


def test_accept_suggestion_uses_each_suggestion_and_skips_contacts_without_one(staff_client):
    german = make_contact(email="x@beispiel.at")
    english = make_contact(email="y@example.com", country="United Kingdom")
    unknown = make_contact(email="z@example.com")
    assert (german.suggested_language, english.suggested_language) == ("de", "en")
    assert unknown.suggested_language == ""

    response = run_action(staff_client, "accept_suggestion", [german, english, unknown])

    german, english, unknown = _reload(german, english, unknown)
    assert (german.status, german.mail_language) == (Status.ASKING, "de")
    assert (english.status, english.mail_language) == (Status.ASKING, "en")
    assert (unknown.status, unknown.mail_language) == (Status.QUEUED, "")
    assert messages_of(response) == [
        "Mail language chosen for 2 contacts; their consent requests start.",
        "1 contact skipped: no language suggestion",
    ]


def test_accept_suggestion_on_nothing_waiting_only_reports_skips(staff_client, staff):
    contact = make_contact(email="a@b.de")
    contact_choose_language(contact=contact, language="en", user=staff)

    response = run_action(staff_client, "accept_suggestion", [contact])

    assert messages_of(response) == ["1 contact skipped: not waiting for a language"]
    assert _reload(contact)[0].mail_language == "en"


def test_filters_and_search(staff_client):
    de = make_contact(email="a@firma.de", company="Quellwerk AG", source="form")
    en = make_contact(email="b@example.com", country="Ireland", source="phone")
    none = make_contact(email="c@example.com", kind="customer")

    def listed(query):
        response = staff_client.get("/admin/contacts/contact/" + query)
        assert response.status_code == 200
        return set(response.context["cl"].result_list)

    assert listed("?suggested=de") == {de}
    assert listed("?suggested=en") == {en}
    assert listed("?suggested=none") == {none}
    assert listed("?source__exact=phone") == {en}
    assert listed("?kind__exact=customer") == {none}
    assert listed("?mail_language__exact=") == {de, en, none}
    assert listed("?q=quellwerk") == {de}
    assert listed("?q=b%40example") == {en}
