"""A staff member logs in, opens the queue and gives two contacts a mail language."""

import pytest
from playwright.sync_api import Page, expect

from askfirst.contacts.models import Contact, Status
from tests.factories import make_contact, make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page: Page, base: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")


@pytest.mark.parametrize("language", ["en", "de"])
def test_staff_choose_languages_in_bulk(live_server, page: Page, screenshot, language):
    make_staff()
    german = make_contact(email="klara@firma.de", first_name="Klara")
    english = make_contact(email="ben@company.co.uk", first_name="Ben")
    untouched = make_contact(email="left@example.org", first_name="Left")
    page.set_extra_http_headers({"Accept-Language": language})

    _login(page, live_server.url)
    page.click("#askfirst-language-queue")
    expect(page.get_by_text("klara@firma.de")).to_be_visible()
    screenshot(f"staff-queue-{language}")

    for contact in (german, english):
        page.check(f"input[name=_selected_action][value='{contact.pk}']")
    page.select_option("select[name=action]", "accept_suggestion")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_be_visible()
    screenshot(f"staff-queue-after-action-{language}")

    german.refresh_from_db()
    english.refresh_from_db()
    untouched.refresh_from_db()
    assert (german.status, german.mail_language) == (Status.ASKING, "de")
    assert german.language_chosen_by is not None and german.language_chosen_by.username == "staff"
    # A .co.uk address says nothing about language: it stays in the queue.
    assert english.status == Status.QUEUED
    assert untouched.status == Status.QUEUED
    assert Contact.objects.filter(status=Status.ASKING).count() == 1
