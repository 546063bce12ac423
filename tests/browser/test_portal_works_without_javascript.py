"""The portal works with JavaScript switched off: in a Chromium context that runs no script,
a person comes in from a mail link and, by clicking, grants and withdraws a purpose,
switches the language, saves a change of their data and saves their interests. Each is a
plain form POST, and the page after it shows the result.
Screenshots: test-artifacts/screenshots/portal-without-js-*.png."""

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import Page, Request, expect

from askfirst.consent.services import consent_states
from askfirst.contacts.models import Topic
from askfirst.contacts.services import contact_choose_language
from askfirst.lifecycle.services import portal_link_send
from tests.factories import make_contact, make_staff
from tests.portal.browsing import last_mail_path

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(java_script_enabled=False),
]


def _german(text: str) -> str:
    with translation.override("de"):
        return _(text)


def test_portal_works_without_javascript(live_server, page: Page, screenshot):
    base = live_server.url
    topic = Topic.objects.create(key="events", label_de="Veranstaltungen", label_en="Events")
    contact = make_contact(email="no-script@example.org", first_name="Nora", city="Bonn")
    contact = contact_choose_language(contact=contact, language="en", user=make_staff())
    portal_link_send(contact=contact)

    # Scripts really do not run in this browser context: a page whose only script
    # would change its title keeps the title it was served with.
    page.route(
        base + "/script-check/",
        lambda route: route.fulfill(
            content_type="text/html",
            body="<title>served</title><script>document.title = 'script ran'</script>",
        ),
    )
    page.goto(base + "/script-check/")
    expect(page).to_have_title("served")

    # Every change below must be the browser's own form submission: a navigation.
    posts: list[str] = []

    def note_post(request: Request) -> None:
        if request.method == "POST" and request.is_navigation_request():
            posts.append(request.url.removeprefix(base))

    page.on("request", note_post)
    messages = page.locator(".messages")
    nav = page.locator("header nav")

    page.goto(base + last_mail_path("portal", contact.email))
    expect(page).to_have_url(base + "/portal/")
    expect(page.locator("h1")).to_contain_text("Nora")

    # Consent: agree to two purposes, then withdraw one.
    nav.get_by_role("link", name="Consent", exact=True).click()
    page.get_by_role("button", name="Agree to “Storage and processing”").click()
    expect(messages).to_have_text("Saved: you agreed to “Storage and processing”.")
    page.get_by_role("button", name="Agree to “Email newsletter”").click()
    expect(messages).to_have_text("Saved: you agreed to “Email newsletter”.")
    newsletter = page.locator("section").filter(
        has=page.get_by_role("heading", name="Email newsletter")
    )
    expect(newsletter.locator(".state")).to_have_text("agreed")
    page.get_by_role("button", name="Withdraw “Email newsletter”").click()
    expect(messages).to_have_text("Saved: you withdrew “Email newsletter”.")
    expect(newsletter.locator(".state")).to_have_text("withdrawn")
    expect(page.get_by_role("button", name="Agree to “Email newsletter”")).to_be_visible()
    screenshot("portal-without-js-consent")
    assert consent_states(contact=contact) == {"storage": True, "newsletter": False}

    # The language switch brings the same page back in German, and is remembered.
    page.get_by_role("button", name="Deutsch").click()
    expect(page).to_have_url(base + "/portal/consent/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("h1")).to_have_text(_german("Consent"))
    contact.refresh_from_db()
    assert contact.portal_language == "de"

    # My data: change a field and save.
    nav.get_by_role("link", name=_german("My data"), exact=True).click()
    expect(page.locator("#id_city")).to_have_value("Bonn")
    page.fill("#id_city", "Freiburg")
    page.get_by_role("button", name=_german("Save my data")).click()
    expect(messages).to_have_text(_german("Your data was saved."))
    expect(page.locator("#id_city")).to_have_value("Freiburg")
    screenshot("portal-without-js-data")
    contact.refresh_from_db()
    assert contact.city == "Freiburg"

    # Interests: tick a topic and save.
    nav.get_by_role("link", name=_german("Interests"), exact=True).click()
    page.get_by_label("Veranstaltungen").check()
    page.get_by_role("button", name=_german("Save my interests")).click()
    expect(messages).to_have_text(_german("Your interests were saved."))
    expect(page.get_by_label("Veranstaltungen")).to_be_checked()
    screenshot("portal-without-js-interests")
    assert list(contact.topics.all()) == [topic]

    assert posts == [
        "/portal/consent/",
        "/portal/consent/",
        "/portal/consent/",
        "/portal/language/",
        "/portal/data/",
        "/portal/interests/",
    ]
