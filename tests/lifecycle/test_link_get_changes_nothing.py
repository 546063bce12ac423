"""A mail scanner opening every link of every mail changes nothing (GET and HEAD)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.forms.models import model_to_dict

from askfirst.consent.models import ConsentEvent, ConsentState
from askfirst.contacts.models import Contact
from askfirst.lifecycle.models import LinkToken
from askfirst.lifecycle.worker import Worker
from tests.lifecycle.helpers import asking_contact, mail_text

pytestmark = pytest.mark.django_db

START = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def snapshot():
    return (
        [model_to_dict(c) for c in Contact.objects.order_by("pk")],
        ConsentEvent.objects.count(),
        ConsentState.objects.count(),
        sorted(LinkToken.objects.values_list("token_hash", "used_at")),
    )


def test_opening_every_link_of_every_mail_changes_nothing(smtp, client):
    with time_machine.travel(START, tick=False) as clock:
        for language in ("de", "en", "de+en"):
            asking_contact(language=language)
        worker = Worker(smtp=smtp.target)
        for day in (0, 7, 14):
            clock.move_to(START + timedelta(days=day))
            worker.run_once()
        messages = smtp.store.messages()
        assert len(messages) == 9
        before = snapshot()
        opened = 0
        for message in messages:
            urls = re.findall(r"https?://\S+", mail_text(message))
            urls.append(str(message["List-Unsubscribe"]).strip("<>"))
            for url in urls:
                path = url.removeprefix("http://127.0.0.1:8000")
                for method in (client.get, client.head):
                    # The portal link redirects into the portal: follow it too.
                    response = method(path, follow=True)
                    assert response.status_code == 200, url
                    opened += 1
        # 3 links + List-Unsubscribe; bilingual mails repeat the links in English.
        assert opened == (6 * 4 + 3 * 7) * 2
        assert snapshot() == before


def test_the_page_shows_a_button_and_a_form(smtp, client):
    contact = asking_contact(language="de")
    Worker(smtp=smtp.target).run_once()
    text = mail_text(smtp.store.messages()[0])
    yes, no, portal = re.findall(r"http://127\.0\.0\.1:8000(/l/\S+/)", text)[:3]
    page = client.get(yes).content.decode()
    assert '<html lang="de">' in page
    assert '<form method="post">' in page and "<button" in page
    assert "<script" not in page
    assert "Erika" not in page and contact.email not in page  # no personal data on the page
    page = client.get(no).content.decode()
    assert "<button" in page
    response = client.get(portal)
    assert response.status_code == 302 and response["Location"].startswith("/portal/enter/")
    assert "no-store" in client.get(yes)["Cache-Control"]
