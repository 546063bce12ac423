"""askfirst suggests a mail language from what it knows, and staff see why."""

import pytest
from django.test import override_settings
from django.utils import translation

from askfirst.contacts.language import describe_reason, suggest_language
from tests.factories import make_contact


@pytest.mark.parametrize("tld", ["de", "at", "ch", "li"])
def test_a_german_speaking_country_domain_suggests_german(tld):
    assert suggest_language(email=f"anna@firma.{tld}") == ("de", f"address domain .{tld}")


def test_a_domain_in_capitals_counts_too():
    assert suggest_language(email="Anna@Firma.DE")[0] == "de"


def test_other_domains_suggest_nothing_on_their_own():
    assert suggest_language(email="anna@example.com") == ("", "")
    assert suggest_language(email="anna@example.fr") == ("", "")
    # A German word in the domain is no sign; only the country code counts.
    assert suggest_language(email="anna@deutschland.com") == ("", "")


@pytest.mark.parametrize("country", ["Deutschland", "Germany", "AT", "Schweiz", "Liechtenstein"])
def test_a_german_speaking_country_field_suggests_german(country):
    assert suggest_language(email="anna@example.com", country=country) == (
        "de",
        f"country {country!r}",
    )


def test_another_country_field_suggests_english():
    assert suggest_language(email="anna@example.com", country="France") == (
        "en",
        "country 'France'",
    )


def test_the_country_field_outweighs_the_domain():
    assert suggest_language(email="anna@firma.de", country="Deutschland")[1] == (
        "country 'Deutschland'"
    )
    # A country outside the German-speaking ones is no sign against German:
    # a .de address still suggests German.
    assert suggest_language(email="anna@firma.de", country="Ireland")[0] == "de"


@pytest.mark.parametrize(
    ("given", "language"),
    [
        ("de", "de"),
        ("de-AT", "de"),
        ("de_CH", "de"),
        ("German", "de"),
        ("en", "en"),
        ("EN-gb", "en"),
    ],
)
def test_the_language_of_the_form_is_the_strongest_sign(given, language):
    # Even against a .de address: the person chose the form's language.
    assert suggest_language(email="anna@firma.de", source_language=given) == (
        language,
        f"source language {given!r}",
    )


def test_another_source_language_suggests_english():
    assert suggest_language(email="anna@example.com", source_language="fr") == (
        "en",
        "source language 'fr' (not German)",
    )


def test_nothing_known_means_no_suggestion():
    assert suggest_language(email="anna@example.com", country="", source_language="") == ("", "")


@override_settings(ASKFIRST_GERMAN_TLDS=["de"])
def test_the_operator_chooses_which_domains_count():
    assert suggest_language(email="anna@firma.at") == ("", "")


def test_reasons_are_shown_in_the_staff_language():
    with translation.override("de"):
        assert describe_reason("address domain .de") == "Adressdomain .de"
        assert describe_reason("country 'Österreich'") == "Land 'Österreich'"
        assert describe_reason("source language 'de'") == "Sprache der Quelle 'de'"
        assert describe_reason("source language 'fr' (not German)") == (
            "Sprache der Quelle 'fr' (nicht Deutsch)"
        )
        assert describe_reason("something else") == "something else"


@pytest.mark.django_db
def test_the_suggestion_is_stored_on_the_contact_and_shown_in_the_list(staff_client):
    contact = make_contact(email="lea@example.ch")
    assert (contact.suggested_language, contact.suggestion_reason) == (
        "de",
        "address domain .ch",
    )
    listing = staff_client.get("/admin/contacts/contact/")
    assert "German (address domain .ch)" in listing.content.decode()


@pytest.mark.django_db
def test_the_change_page_shows_the_suggestion_read_only(staff_client):
    contact = make_contact(email="liam@example.com", source_language="en")
    response = staff_client.get(f"/admin/contacts/contact/{contact.pk}/change/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "English (source language &#x27;en&#x27;)" in content
    form = response.context["adminform"].form
    for name in ("suggested_language", "suggestion_reason", "status", "mail_language"):
        assert name not in form.fields


@pytest.mark.django_db
def test_editing_the_country_in_the_admin_updates_the_suggestion(staff_client):
    contact = make_contact(email="max@example.com")
    assert contact.suggested_language == ""
    data = {
        "email": contact.email,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "country": "Österreich",
        "kind": "prospect",
        "_save": "Save",
    }
    response = staff_client.post(f"/admin/contacts/contact/{contact.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    contact.refresh_from_db()
    assert (contact.suggested_language, contact.suggestion_reason) == (
        "de",
        "country 'Österreich'",
    )
