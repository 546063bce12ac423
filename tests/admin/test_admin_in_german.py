"""Staff who read German get the admin in German: labels, actions, messages, errors."""

import pytest

from askfirst.contacts.services import contact_choose_language
from tests.admin.conftest import messages_of
from tests.factories import make_contact

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}


def test_the_contact_list_is_german(staff_client):
    make_contact(email="anna@firma.de")

    response = staff_client.get("/admin/contacts/contact/", **GERMAN)

    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="de"' in content
    for german in (
        "Mailsprache: Deutsch",
        "Mailsprache: Englisch",
        "Mailsprache: zweisprachig (Deutsch und Englisch)",
        "Mailsprache: Vorschlag übernehmen",
        "Deaktivieren (nicht kontaktieren)",
        "Wartet auf eine Mailsprache",
        "Vorgeschlagene Sprache",
        "Deutsch (Adressdomain .de)",
        "Sprach-Warteschlange (1 wartet)",
    ):
        assert german in content, german
    assert "Mail language: German" not in content


def test_the_english_admin_stays_english(staff_client):
    make_contact(email="anna@firma.de")
    content = staff_client.get("/admin/contacts/contact/").content.decode()
    assert "Mail language: German" in content
    assert "Mailsprache: Deutsch" not in content


def test_action_messages_are_german(staff_client, staff):
    waiting = make_contact()
    started = make_contact()
    contact_choose_language(contact=started, language="en", user=staff)

    response = staff_client.post(
        "/admin/contacts/contact/",
        {"action": "choose_german", "_selected_action": [waiting.pk, started.pk]},
        follow=True,
        **GERMAN,
    )

    assert messages_of(response) == [
        "Mailsprache für 1 Kontakt gewählt; die Einwilligungsanfrage beginnt.",
        "1 Kontakt übersprungen: wartet nicht auf eine Sprache",
    ]


def test_the_index_and_the_consent_form_are_german(staff_client):
    contact = make_contact()
    index = staff_client.get("/admin/", **GERMAN).content.decode()
    assert "Kontakte, die auf eine Mailsprache warten" in index

    url = f"/admin/contacts/contact/{contact.pk}/record-consent/"
    page = staff_client.get(url, **GERMAN).content.decode()
    assert "Einwilligung erfassen" in page
    assert "Speicherung und Verarbeitung" in page  # the purpose's German name

    from askfirst.consent.models import Purpose

    response = staff_client.post(
        url,
        {
            "purpose": Purpose.objects.get(key="newsletter").pk,
            "decision": "granted",
            "language": "de",
            "note": "",
        },
        **GERMAN,
    )
    assert response.context["form"].errors["note"] == [
        "Eine Notiz, wie die Einwilligung gegeben wurde, ist erforderlich."
    ]
