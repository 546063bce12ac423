"""An answer from a mail link names the mail and the text version it answered.

Each link is stored with its mail's name and text versions when the mail is
written (the same value as the outbox row's `text_version`); the ledger event
a link records carries them in its evidence, inside the hash chain.
"""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from askfirst.consent.models import ConsentEvent
from askfirst.lifecycle.models import LinkToken
from askfirst.lifecycle.services import portal_link_send, token_hash
from askfirst.lifecycle.worker import Worker
from askfirst.mail.models import Outbox
from askfirst.mail.services import mail_template_add, mail_templates_current
from tests.factories import make_contact
from tests.lifecycle.helpers import asking_contact, links, token_of, yes_form, yes_form_shown

pytestmark = pytest.mark.django_db


def _edit(name: str, language: str) -> int:
    """A staff edit of one text: a new version of the same wording."""
    current = mail_templates_current()[(name, language)]
    new = mail_template_add(
        name=name,
        language=language,
        subject=current.subject.text,
        body=current.body.text,
    )
    return new.version


def test_each_link_answer_names_the_version_of_its_own_mail(smtp, client):
    contact = asking_contact(language="de")
    worker = Worker(smtp=smtp.target)
    worker.run_once()
    request_links = links(smtp.store.to(contact.email)[-1])
    reminder_version = _edit("reminder", "de")
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        worker.run_once()
        reminder_links = links(smtp.store.to(contact.email)[-1])

        assert client.post(reminder_links["yes"], yes_form()).status_code == 200
        assert client.post(request_links["deactivate"]).status_code == 200

    reminder = Outbox.objects.get(contact=contact, name="reminder")
    assert reminder.text_version == f"de:{reminder_version}"
    # One token behind all links of the mail.
    (token,) = {token_of(path) for path in reminder_links.values()}
    link = LinkToken.objects.get(token_hash=token_hash(token))
    assert (link.mail, link.text_version) == ("reminder", reminder.text_version)

    granted, withdrawn = ConsentEvent.objects.filter(contact=contact).order_by("seq")
    assert (granted.action, granted.token_hash) == ("granted", token_hash(token))
    assert granted.evidence == f"mail reminder, text de:{reminder_version}"
    # The older request's link names the request's own (older) text.
    assert withdrawn.token_hash == token_hash(token_of(request_links["deactivate"]))
    assert withdrawn.evidence == "mail request, text de:1"
    # The hash covers the evidence: the named text cannot be changed unnoticed.
    assert "evidence" in granted.content() and granted.hash == granted.compute_hash()


def test_a_bilingual_mail_names_both_versions(smtp, client):
    english = _edit("request", "en")
    contact = asking_contact(language="de+en")
    Worker(smtp=smtp.target).run_once()
    yes = links(smtp.store.to(contact.email)[-1])["yes"]
    assert client.post(yes, yes_form_shown(client, yes)).status_code == 200
    version = f"de:1,en:{english}"
    assert Outbox.objects.get(contact=contact).text_version == version
    assert ConsentEvent.objects.get(contact=contact).evidence == f"mail request, text {version}"


def test_the_portal_link_mail_records_its_version_on_its_links():
    contact = make_contact()
    _edit("portal", "en")
    mail = portal_link_send(contact=contact)
    assert mail.text_version == "en:2"
    rows = LinkToken.objects.filter(contact=contact)
    assert rows.count() == 1
    assert set(rows.values_list("mail", "text_version")) == {("portal", "en:2")}
