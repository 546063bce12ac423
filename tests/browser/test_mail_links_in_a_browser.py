"""A person clicks the links of a real request mail in Chromium and presses the buttons."""

import pytest
from playwright.sync_api import Page, expect

from askfirst.consent.services import consent_states
from askfirst.contacts.models import Status
from askfirst.lifecycle.worker import Worker
from tests.lifecycle.helpers import asking_contact, links

pytestmark = pytest.mark.django_db(transaction=True)


def _mailed_links(smtp, language: str, **fields):
    contact = asking_contact(language=language, **fields)
    Worker(smtp=smtp.target).run_once()
    return contact, links(smtp.store.messages()[-1])


@pytest.mark.parametrize("language", ["de", "en"])
def test_yes_button_records_consent(live_server, page: Page, screenshot, smtp, language):
    contact, tokens = _mailed_links(smtp, language)
    page.goto(f"{live_server.url}{tokens['yes']}")
    assert page.locator("html").get_attribute("lang") == language
    screenshot(f"mail-link-yes-{language}")
    contact.refresh_from_db()
    assert contact.status == Status.ASKING  # opening the page changed nothing

    page.locator("form button, form input[type=submit]").first.click()
    page.wait_for_load_state()
    screenshot(f"mail-link-yes-done-{language}")
    contact.refresh_from_db()
    assert contact.status == Status.ANSWERED
    assert consent_states(contact=contact) == {"storage": True}


def test_deactivate_button_deactivates(live_server, page: Page, screenshot, smtp):
    contact, tokens = _mailed_links(smtp, "de")
    page.goto(f"{live_server.url}{tokens['deactivate']}")
    page.locator("form button, form input[type=submit]").first.click()
    page.wait_for_load_state()
    screenshot("mail-link-deactivate-done-de")
    contact.refresh_from_db()
    assert contact.status == Status.DEACTIVATED
    assert contact.first_name == ""


def test_portal_link_opens_the_portal(live_server, page: Page, smtp):
    _, tokens = _mailed_links(smtp, "en", first_name="Portia")
    page.goto(f"{live_server.url}{tokens['portal']}")
    assert "/portal/" in page.url and tokens["portal"] not in page.url
    expect(page.get_by_text("Portia").first).to_be_visible()
