"""A mail text that would break its mails is refused in the admin, per field.

Rendering leaves an unknown `$name` in the mail as it is, so a typo such as
`$yes_urll` would reach people; and a request without `$deactivate_url` could
not be answered. The form names the placeholder at fault and saves nothing.
"""

import email
import email.policy

import pytest
import time_machine
from django.utils import timezone

from askfirst.lifecycle.services import lifecycle_advance, portal_link_send
from askfirst.mail.models import MailName, MailTemplate, Outbox
from askfirst.mail.render import PLACEHOLDERS
from askfirst.mail.services import mail_template_defaults, mail_templates_install
from tests.lifecycle.helpers import asking_contact

pytestmark = pytest.mark.django_db

LINKS = "$yes_url $deactivate_url $portal_url"
# Rendered by askfirst/lifecycle/services.py; the portal's own mails by askfirst/portal.
_LIFECYCLE_MAILS = (MailName.REQUEST, MailName.REMINDER, MailName.DELETION, MailName.PORTAL)


@pytest.fixture(autouse=True)
def _texts(db):
    mail_templates_install()


def _current(name: str, language: str = "en") -> MailTemplate:
    return MailTemplate.objects.filter(name=name, language=language).order_by("-version")[0]


def _edit(staff_client, name: str, *, subject: str, body: str, language: str = "en"):
    current = _current(name, language)
    return staff_client.post(
        f"/admin/mail/mailtemplate/{current.pk}/change/", {"subject": subject, "body": body}
    )


def _errors(response, field: str) -> list[str]:
    return list(response.context["adminform"].form.errors.get(field, []))


def _text(mail: Outbox) -> str:
    message = email.message_from_string(mail.message, policy=email.policy.default)
    return message.get_body(("plain",)).get_content()


def test_a_typo_in_a_placeholder_is_refused_and_named(staff_client):
    before = MailTemplate.objects.count()
    response = _edit(
        staff_client,
        MailName.REQUEST,
        subject="Your data at $company",
        body=f"$greeting,\n\nyes: $yes_urll\n{LINKS}\n",
    )
    assert response.status_code == 200
    (error,) = _errors(response, "body")
    assert error.startswith("Unknown placeholder $yes_urll.")
    assert error.endswith("$source, $yes_url.")  # what this mail can use instead
    assert _errors(response, "subject") == []
    assert MailTemplate.objects.count() == before


def test_an_unknown_placeholder_in_the_subject_is_refused_on_the_subject(staff_client):
    response = _edit(
        staff_client, MailName.REMINDER, subject="Reminder ${reminder_nr}", body=f"Hello {LINKS}"
    )
    assert response.status_code == 200
    (error,) = _errors(response, "subject")
    assert "$reminder_nr" in error
    assert _errors(response, "body") == []


@pytest.mark.parametrize("missing", ["$yes_url", "$deactivate_url", "$portal_url"])
@pytest.mark.parametrize("name", [MailName.REQUEST, MailName.REMINDER])
def test_a_request_or_reminder_without_one_of_its_links_is_refused(staff_client, name, missing):
    before = MailTemplate.objects.count()
    body = "$greeting,\n\n" + LINKS.replace(missing, "") + "\n"
    response = _edit(staff_client, name, subject="Subject", body=body)
    assert response.status_code == 200
    (error,) = _errors(response, "body")
    assert missing in error and "needs" in error
    assert MailTemplate.objects.count() == before


def test_links_a_mail_does_not_have_are_refused(staff_client):
    # The deletion confirmation goes to a person already erased: it has no links.
    response = _edit(
        staff_client, MailName.DELETION, subject="Deleted", body="Deleted. Undo: $yes_url\n"
    )
    assert "$yes_url" in _errors(response, "body")[0]
    response = _edit(staff_client, MailName.PORTAL, subject="Your portal", body="Hello.\n")
    assert "$portal_url" in _errors(response, "body")[0]


def test_a_new_text_is_checked_for_the_mail_chosen(staff_client):
    response = staff_client.post(
        "/admin/mail/mailtemplate/add/",
        {"name": MailName.EMAIL_CONFIRM, "language": "de", "subject": "Bitte", "body": "Hallo\n"},
    )
    assert response.status_code == 200
    assert "$confirm_url" in _errors(response, "body")[0]


def test_a_good_text_saves_as_a_new_version_and_the_next_mail_uses_it(staff_client):
    old = _current(MailName.REQUEST)
    response = _edit(
        staff_client,
        MailName.REQUEST,
        subject="May we keep your data, $company?",
        # ${name} and a literal $$ are fine.
        body="${greeting}, it costs $$0.\n\nYes: $yes_url\nNo: $deactivate_url\n"
        "Portal: $portal_url\n",
    )
    assert response.status_code == 302, _errors(response, "body")
    new = _current(MailName.REQUEST)
    assert new.version == old.version + 1
    asking_contact(language="en")
    lifecycle_advance()
    mail = Outbox.objects.get()
    assert mail.text_version == f"en:{new.version}"
    assert "it costs $0." in _text(mail)
    assert "$" not in _text(mail).replace("$0.", "")


def test_the_edit_page_lists_what_this_mail_may_use(staff_client):
    page = staff_client.get(f"/admin/mail/mailtemplate/{_current(MailName.REQUEST).pk}/change/")
    help_text = page.context["adminform"].form.fields["body"].help_text
    assert "Required: $deactivate_url, $portal_url, $yes_url." in help_text
    assert "$confirm_url" not in help_text


def test_every_shipped_text_passes_the_check(staff_client):
    for (name, language), (subject, body) in mail_template_defaults().items():
        response = _edit(staff_client, name, language=language, subject=subject, body=body)
        assert response.status_code == 302, (name, language, response.context["errors"])


def test_every_placeholder_offered_is_filled_in_the_mails_it_is_offered_for(settings):
    """The table the check uses matches what the lifecycle renders its mails with."""
    settings.ASKFIRST_CUSTOMER_EXPIRY = "erase"
    for name in _LIFECYCLE_MAILS:
        offered = " ".join(f"[${p}]" for p in sorted(PLACEHOLDERS[name].provided))
        for language in ("de", "en"):
            current = _current(name, language)
            MailTemplate.objects.create(
                name=name, language=language, version=current.version + 1, subject="S", body=offered
            )
    contact = asking_contact(language="de+en")
    portal_link_send(contact=contact)
    rendered: dict[str, str] = {}
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for offset in settings.ASKFIRST_SCHEDULE:
            clock.move_to(start + offset)
            lifecycle_advance()
            # Read each step's mails now: erasure at the end takes the contact's with it.
            rendered |= {mail.name: _text(mail) for mail in Outbox.objects.all()}
    assert set(rendered) == {name for name in PLACEHOLDERS if name in _LIFECYCLE_MAILS}
    for name, text in rendered.items():
        assert "[$" not in text and "[]" not in text, (name, text)
