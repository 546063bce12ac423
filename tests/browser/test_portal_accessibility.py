"""Every portal page, in German and English: zero axe-core violations (WCAG 2.1 A/AA rules)
and zero errors from the Nu HTML checker (fed the saved HTML, which stays in
test-artifacts/html/portal/)."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password

from askfirst.consent.services import Proof, consent_record
from askfirst.contacts.models import Topic
from askfirst.mail.services import mail_templates_install
from askfirst.portal.models import PortalLogin
from askfirst.portal.services import portal_email_change_request
from tests.browser.checks import axe_violations, checkers_installed, vnu_errors
from tests.factories import make_contact
from tests.portal.browsing import HTML
from tests.portal.conftest import issue_link

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough pass phrase"


class Checker:
    def __init__(self, page, base: str, language: str):
        self.page, self.base, self.language = page, base, language
        self.violations: dict[str, list] = {}
        HTML.mkdir(parents=True, exist_ok=True)

    def _check(self, name: str, body: bytes) -> None:
        (HTML / f"{self.language}-{name}.html").write_bytes(body)
        found = axe_violations(self.page)
        if found:
            self.violations[name] = found

    def visit(self, name: str, path: str) -> None:
        response = self.page.goto(self.base + path)
        self._check(name, response.body())

    def submit(self, name: str, action) -> None:
        with self.page.expect_navigation() as navigation:
            action()
        self._check(name, navigation.value.body())


def _person(language: str):
    mail_templates_install()
    Topic.objects.create(key="events", label_de="Veranstaltungen", label_en="Events")
    contact = make_contact(
        email=f"a11y-{language}@example.org", first_name="Ida", city="Köln", company="Acme"
    )
    consent_record(contact=contact, purpose_key="storage", granted=True, proof=Proof(channel="api"))
    PortalLogin.objects.create(contact=contact, password_hash=make_password(PASSWORD))
    contact.portal_language = language
    contact.save()
    return contact


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_page_passes_axe_and_the_html_checker(live_server, browser, settings, language):
    checkers_installed()
    contact = _person(language)
    context = browser.new_context(bypass_csp=True, extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    check = Checker(page, live_server.url, language)

    check.visit("start", "/portal/start/")
    check.visit("link-sent", "/portal/link/sent/")
    check.visit("logged-out", "/portal/logged-out/")
    check.visit("link-invalid", "/portal/link/invalid/unknown/")
    check.visit("link-expired", "/portal/link/invalid/expired/")
    page.goto(live_server.url + "/portal/start/")
    page.fill("#login_email", contact.email)
    page.fill("#login_password", "wrong wrong wrong wrong")
    check.submit("login-failed", lambda: page.click("#password-login ~ form button"))

    page.goto(live_server.url + f"/portal/enter/{issue_link(contact, language=language)}/")
    for name in [
        "",
        "data",
        "email",
        "consent",
        "interests",
        "history",
        "copy",
        "password",
        "leave",
        "deactivate",
        "delete",
    ]:
        check.visit(name or "home", f"/portal/{name}/" if name else "/portal/")
    page.goto(live_server.url + "/portal/data/")
    page.fill("#id_first_name", "Ida Maria")
    check.submit("data-saved", lambda: page.click("main form button[type=submit]"))
    page.goto(live_server.url + "/portal/email/")
    page.fill("#id_new_email", "not an address")
    check.submit("email-error", lambda: page.click("main form button[type=submit]"))
    page.goto(live_server.url + "/portal/password/")
    page.fill("#id_password", "short")
    page.fill("#id_password_again", "short")
    check.submit("password-error", lambda: page.click("main form button[type=submit]"))
    page.goto(live_server.url + "/portal/consent/")
    check.submit("consent-saved", lambda: page.click("main form button[type=submit]"))

    portal_email_change_request(
        contact=contact, new_email=f"a11y-new-{language}@example.org", language=language
    )
    from askfirst.portal.mails import EMAIL_CONFIRM
    from tests.portal.browsing import last_mail_path

    check.visit("email-confirm", last_mail_path(EMAIL_CONFIRM, f"a11y-new-{language}@example.org"))

    page.goto(live_server.url + f"/portal/enter/{issue_link(contact, age=timedelta(days=2))}/")
    check.visit("fresh", "/portal/fresh/?next=/portal/delete/")

    settings.ASKFIRST_PORTAL_LINK_LIMIT_ADDRESS = (0, timedelta(hours=1))
    settings.ASKFIRST_PORTAL_LOGIN_LIMIT_ADDRESS = (0, timedelta(minutes=15))
    context.clear_cookies()
    page.goto(live_server.url + "/portal/start/")
    page.fill("#link_email", "someone@example.org")
    check.submit("throttled", lambda: page.click("#fresh-link ~ form button"))
    page.goto(live_server.url + "/portal/start/")
    page.fill("#login_email", "someone@example.org")
    page.fill("#login_password", "whatever whatever")
    check.submit("locked", lambda: page.click("#password-login ~ form button"))

    page.goto(live_server.url + f"/portal/enter/{issue_link(contact, language=language)}/")
    page.goto(live_server.url + "/portal/deactivate/")
    check.submit("deactivated", lambda: page.click("main form button[type=submit]"))
    page.goto(live_server.url + f"/portal/enter/{issue_link(contact, language=language)}/")
    check.visit("home-deactivated", "/portal/")
    page.goto(live_server.url + "/portal/delete/")
    page.check("#id_confirm")
    check.submit("deleted", lambda: page.click("main form button[type=submit]"))
    context.close()

    assert check.violations == {}, json.dumps(check.violations, indent=1)

    files = sorted(str(p) for p in Path(HTML).glob(f"{language}-*.html"))
    assert len(files) >= 25
    errors = vnu_errors(files)
    assert errors == [], json.dumps(errors, indent=1, ensure_ascii=False)
