"""Every page behind a mail link, in German and English: zero axe-core violations
(WCAG 2.1 A/AA rules) and zero errors from the Nu HTML checker (fed the saved HTML,
which stays in test-artifacts/html/links/).

The choice pages (yes, deactivate, the List-Unsubscribe address opened in a
browser), a yes whose text changed meanwhile (409) or whose form came incomplete
(400), the confirmation pages (granted, deactivated, already deactivated), and
the invalid and expired link pages.
"""

import json
from datetime import timedelta
from pathlib import Path

import pytest

from askfirst.consent.models import Purpose
from askfirst.consent.services import consent_text_add
from askfirst.lifecycle.models import TokenPurpose
from askfirst.lifecycle.services import schedule
from tests.browser.checks import axe_violations, checkers_installed, vnu_errors
from tests.lifecycle.helpers import asking_contact
from tests.portal.browsing import ROOT
from tests.portal.conftest import issue_link

pytestmark = pytest.mark.django_db(transaction=True)

HTML = ROOT / "test-artifacts" / "html" / "links"
BUTTON = "main form button[type=submit]"


class Checker:
    """Runs axe on each page as the browser shows it and saves its HTML for vnu."""

    def __init__(self, page, base: str, language: str):
        self.page, self.base, self.language = page, base, language
        self.violations: dict[str, list] = {}
        self.statuses: dict[str, int] = {}
        HTML.mkdir(parents=True, exist_ok=True)
        for old in HTML.glob(f"{language}-*.html"):
            old.unlink()

    def _check(self, name: str, response) -> None:
        self.statuses[name] = response.status
        (HTML / f"{self.language}-{name}.html").write_bytes(response.body())
        assert self.page.locator("html").get_attribute("lang") == self.language, name
        found = axe_violations(self.page)
        if found:
            self.violations[name] = found

    def visit(self, name: str, path: str) -> None:
        self._check(name, self.page.goto(self.base + path))

    def press(self, name: str) -> None:
        with self.page.expect_navigation() as navigation:
            self.page.click(BUTTON)
        self._check(name, navigation.value)


def _mail_token(language: str, **fields) -> str:
    """The one token behind a request mail's three links."""
    contact = asking_contact(language=language, **fields)
    return issue_link(contact, purpose=TokenPurpose.MAIL, language=language)


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_mail_link_page_passes_axe_and_the_html_checker(live_server, browser, language):
    checkers_installed()
    context = browser.new_context(bypass_csp=True, extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    check = Checker(page, live_server.url, language)

    yes = f"/l/{_mail_token(language, email=f'yes-{language}@example.org')}/yes/"
    check.visit("yes", yes)
    consent_text_add(
        purpose=Purpose.objects.get(key="storage"),
        language=language,
        body="Wir speichern Ihre Daten, neue Fassung." if language == "de" else "New wording.",
    )
    check.press("yes-text-changed")
    page.evaluate("document.querySelector('input[name=text]').remove()")
    check.press("yes-incomplete")
    check.press("yes-done")

    no = _mail_token(language, email=f"no-{language}@example.org")
    check.visit("deactivate", f"/l/{no}/deactivate/")
    check.press("deactivate-done")
    check.visit("yes-after-deactivation", f"/l/{no}/yes/")
    check.press("already-deactivated")

    unsubscribe = _mail_token(language, email=f"unsubscribe-{language}@example.org")
    check.visit("unsubscribe", f"/l/{unsubscribe}/unsubscribe/")
    check.press("unsubscribe-done")

    check.visit("invalid", f"/l/{'A' * 43}/yes/")
    expired = issue_link(
        asking_contact(language=language, email=f"late-{language}@example.org"),
        purpose=TokenPurpose.MAIL,
        language=language,
        age=schedule()[-1] + timedelta(days=60),
    )
    check.visit("expired", f"/l/{expired}/yes/")
    context.close()

    assert check.statuses == {
        "yes": 200,
        "yes-text-changed": 409,
        "yes-incomplete": 400,
        "yes-done": 200,
        "deactivate": 200,
        "deactivate-done": 200,
        "yes-after-deactivation": 200,
        "already-deactivated": 200,
        "unsubscribe": 200,
        "unsubscribe-done": 200,
        "invalid": 404,
        "expired": 410,
    }
    assert check.violations == {}, json.dumps(check.violations, indent=1)

    files = sorted(str(p) for p in Path(HTML).glob(f"{language}-*.html"))
    assert len(files) == len(check.statuses)
    errors = vnu_errors(files)
    assert errors == [], json.dumps(errors, indent=1, ensure_ascii=False)
