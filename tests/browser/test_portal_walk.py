"""A person walks through the whole portal in Chromium, in German and in English:
mail link → portal → language switch, data, consent, interests, history, copy, password,
logout, login, fresh link, change of address, deactivate, a fresh link to delete, delete.
Every page is photographed at 1280 px and 360 px (test-artifacts/screenshots/portal/)."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from askfirst.consent.models import ConsentEvent
from askfirst.contacts.models import Contact, Status, Topic
from askfirst.contacts.services import contact_choose_language
from askfirst.lifecycle.services import portal_link_send
from askfirst.portal.mails import EMAIL_CHANGED, EMAIL_CONFIRM, PASSWORD_CHANGED
from tests.factories import make_contact, make_staff
from tests.portal.browsing import last_mail_path, shoot
from tests.portal.conftest import issue_link

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "en": {
        "save_data": "Save my data",
        "agree_storage": "Agree to “Storage and processing”",
        "agree_newsletter": "Agree to “Email newsletter”",
        "withdraw_newsletter": "Withdraw “Email newsletter”",
        "save_interests": "Save my interests",
        "download": "Download my data (JSON)",
        "new_password": "New password",
        "again": "The same password again",
        "save_password": "Save password",
        "logout": "Log out",
        "email": "Your email address",
        "password": "Password",
        "login": "Log in",
        "send_link": "Send me a link",
        "new_email": "New email address",
        "send_confirm": "Send the confirmation link",
        "use_address": "Yes, use this address",
        "deactivate": "Yes, deactivate my profile",
        "confirm_delete": "I understand that this deletes everything.",
        "delete": "Delete my profile now",
        "topic": "Events",
        "switch": "Deutsch",
        "send_fresh": "Send a fresh link to my address",
    },
    "de": {
        "save_data": "Meine Daten speichern",
        "agree_storage": "„Speicherung und Verarbeitung“ zustimmen",
        "agree_newsletter": "„E-Mail-Newsletter“ zustimmen",
        "withdraw_newsletter": "„E-Mail-Newsletter“ widerrufen",
        "save_interests": "Meine Interessen speichern",
        "download": "Meine Daten herunterladen (JSON)",
        "new_password": "Neues Passwort",
        "again": "Dasselbe Passwort noch einmal",
        "save_password": "Passwort speichern",
        "logout": "Abmelden",
        "email": "Ihre E-Mail-Adresse",
        "password": "Passwort",
        "login": "Anmelden",
        "send_link": "Link zusenden",
        "new_email": "Neue E-Mail-Adresse",
        "send_confirm": "Bestätigungslink senden",
        "use_address": "Ja, diese Adresse verwenden",
        "deactivate": "Ja, mein Profil deaktivieren",
        "confirm_delete": "Mir ist klar, dass damit alles gelöscht wird.",
        "delete": "Mein Profil jetzt löschen",
        "topic": "Veranstaltungen",
        "switch": "English",
        "send_fresh": "Neuen Link an meine Adresse senden",
    },
}
PASSWORD = "ein langer satz als passwort"


def _csp_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return errors


@pytest.mark.parametrize("language", ["en", "de"])
def test_portal_walk(live_server, page: Page, language):
    base = live_server.url
    w = WORDS[language]
    Topic.objects.create(key="events", label_de="Veranstaltungen", label_en="Events")
    contact = make_contact(email=f"walk-{language}@example.org", first_name="Wanda")
    contact = contact_choose_language(contact=contact, language=language, user=make_staff())
    portal_link_send(contact=contact)
    csp_errors = _csp_errors(page)
    page.set_extra_http_headers({"Accept-Language": "en" if language == "de" else "de"})

    # The mail's link leads straight into the portal.
    page.goto(base + last_mail_path("portal", contact.email))
    expect(page).to_have_url(base + "/portal/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_contain_text("Wanda")
    shoot(page, f"{language}-01-overview")

    # The language switch: the other language, remembered on the contact, and back.
    other = "de" if language == "en" else "en"
    page.get_by_role("button", name=w["switch"]).click()
    expect(page.locator("html")).to_have_attribute("lang", other)
    shoot(page, f"{language}-01-overview-switched")
    contact.refresh_from_db()
    assert contact.portal_language == other
    page.get_by_role("button", name=WORDS[other]["switch"]).click()
    expect(page.locator("html")).to_have_attribute("lang", language)

    page.goto(base + "/portal/data/")
    page.fill("#id_city", "Freiburg")
    page.check("#share_city")
    shoot(page, f"{language}-02-data")
    page.get_by_role("button", name=w["save_data"]).click()
    expect(page.locator(".messages")).to_be_visible()
    shoot(page, f"{language}-03-data-saved")

    page.goto(base + "/portal/consent/")
    shoot(page, f"{language}-04-consent")
    page.get_by_role("button", name=w["agree_storage"]).click()
    page.get_by_role("button", name=w["agree_newsletter"]).click()
    page.get_by_role("button", name=w["withdraw_newsletter"]).click()
    shoot(page, f"{language}-05-consent-after")

    page.goto(base + "/portal/interests/")
    page.get_by_label(w["topic"]).check()
    page.get_by_role("button", name=w["save_interests"]).click()
    shoot(page, f"{language}-06-interests")

    page.goto(base + "/portal/history/")
    expect(page.locator("tbody tr")).to_have_count(3)
    shoot(page, f"{language}-07-history")

    page.goto(base + "/portal/copy/")
    shoot(page, f"{language}-08-copy")
    with page.expect_download() as download:
        page.get_by_role("link", name=w["download"]).click()
    copy = json.loads(Path(download.value.path()).read_text("utf-8"))
    assert copy["person"]["city"] == "Freiburg"
    assert len(copy["consentRecords"]) == 3

    page.goto(base + "/portal/password/")
    shoot(page, f"{language}-09-password")
    page.get_by_label(w["new_password"]).fill("too short")
    page.get_by_label(w["again"]).fill("too short")
    page.get_by_role("button", name=w["save_password"]).click()
    expect(page.locator(".error").first).to_be_visible()
    shoot(page, f"{language}-10-password-error")
    page.get_by_label(w["new_password"]).fill(PASSWORD)
    page.get_by_label(w["again"]).fill(PASSWORD)
    page.get_by_role("button", name=w["save_password"]).click()
    expect(page.locator(".messages")).to_be_visible()
    assert last_mail_path  # the password mail below
    from askfirst.mail.models import Outbox

    assert Outbox.objects.filter(name=PASSWORD_CHANGED, recipient=contact.email).exists()

    page.get_by_role("button", name=w["logout"]).click()
    shoot(page, f"{language}-11-logged-out")
    page.goto(base + "/portal/start/")
    shoot(page, f"{language}-12-start")
    login = page.locator("#password-login").locator("..")
    login.get_by_label(w["email"]).fill(contact.email)
    login.get_by_label(w["password"], exact=True).fill("wrong wrong wrong wrong")
    login.get_by_role("button", name=w["login"]).click()
    expect(page.locator(".errors")).to_be_visible()
    shoot(page, f"{language}-13-login-failed")
    login = page.locator("#password-login").locator("..")
    login.get_by_label(w["email"]).fill(contact.email)
    login.get_by_label(w["password"], exact=True).fill(PASSWORD)
    login.get_by_role("button", name=w["login"]).click()
    expect(page).to_have_url(base + "/portal/")
    page.get_by_role("button", name=w["logout"]).click()

    # A fresh link by address.
    page.goto(base + "/portal/start/")
    fresh = page.locator("#fresh-link").locator("..")
    fresh.get_by_label(w["email"]).fill(contact.email)
    fresh.get_by_role("button", name=w["send_link"]).click()
    expect(page).to_have_url(base + "/portal/link/sent/")
    shoot(page, f"{language}-14-link-sent")
    page.goto(base + last_mail_path("portal", contact.email))
    expect(page).to_have_url(base + "/portal/")

    # Change of address, confirmed from the new mailbox.
    new_address = f"walk-{language}-new@example.org"
    page.goto(base + "/portal/email/")
    shoot(page, f"{language}-15-email")
    page.get_by_label(w["new_email"]).fill(new_address)
    page.get_by_role("button", name=w["send_confirm"]).click()
    shoot(page, f"{language}-16-email-pending")
    page.goto(base + last_mail_path(EMAIL_CONFIRM, new_address))
    shoot(page, f"{language}-17-email-confirm")
    page.get_by_role("button", name=w["use_address"]).click()
    shoot(page, f"{language}-18-email-changed")
    contact.refresh_from_db()
    assert contact.email == new_address
    assert Outbox.objects.filter(name=EMAIL_CHANGED, recipient=f"walk-{language}@example.org")

    page.goto(base + "/portal/leave/")
    shoot(page, f"{language}-19-leave")
    page.goto(base + "/portal/deactivate/")
    shoot(page, f"{language}-20-deactivate")
    page.get_by_role("button", name=w["deactivate"]).click()
    shoot(page, f"{language}-21-deactivated")
    contact.refresh_from_db()
    assert contact.status == Status.DEACTIVATED

    # Still deletable: from a link too old to delete with, the person asks for a
    # fresh one, and it comes although the profile is deactivated.
    stale = issue_link(contact, language=language, age=timedelta(hours=2))
    page.goto(base + f"/portal/enter/{stale}/")
    shoot(page, f"{language}-22-deactivated-overview")
    page.goto(base + "/portal/delete/")
    expect(page).to_have_url(re.compile(r"/portal/fresh/"))
    shoot(page, f"{language}-22-deactivated-fresh")
    page.get_by_role("button", name=w["send_fresh"]).click()
    page.goto(base + last_mail_path("portal", new_address))
    expect(page).to_have_url(base + "/portal/")
    page.goto(base + "/portal/delete/")
    expect(page).to_have_url(base + "/portal/delete/")
    shoot(page, f"{language}-23-delete")
    page.get_by_label(w["confirm_delete"]).check()
    page.get_by_role("button", name=w["delete"]).click()
    shoot(page, f"{language}-24-deleted")
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert not ConsentEvent.objects.filter(contact_id=contact.pk).exists()

    page.goto(base + "/portal/enter/not-a-real-token/")
    shoot(page, f"{language}-25-invalid-link")
    assert csp_errors == []
