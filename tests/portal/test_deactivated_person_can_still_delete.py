"""A deactivated person whose link is too old to delete (and whose password went with the
deactivation) asks for a fresh link from their session: the worker sends it, though it
holds back every other mail to them, the link opens the delete step, and a fresh link
still waiting in the outbox goes with the person."""

from datetime import timedelta

import pytest
from django.test import Client

from askfirst.consent.services import Proof, contact_deactivate
from askfirst.contacts.models import Contact
from askfirst.mail.delivery import mail_deliver
from askfirst.mail.models import MailName, Outbox
from tests.mail.smtpserver import smtp  # noqa: F401 (a fixture)
from tests.portal.browsing import MAIL_LINK
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db


def _ask_for_a_fresh_link(client) -> None:
    response = client.post("/portal/fresh/", {"how": "link", "next": "/portal/delete/"})
    assert response.status_code == 200
    assert b"We have sent a fresh link" in response.content


@pytest.fixture
def deactivated(client, person):
    contact_deactivate(contact=person, proof=Proof(channel="mail_link", language="en"))
    enter(client, person, age=timedelta(days=3))
    assert client.get("/portal/delete/")["Location"].startswith("/portal/fresh/")
    return person


def test_the_fresh_link_is_sent_and_opens_the_delete_step(client, deactivated, smtp):  # noqa: F811
    _ask_for_a_fresh_link(client)
    result = mail_deliver(worker_id="test", smtp=smtp.target)
    assert (result.sent, result.suppressed) == (1, 0)
    (received,) = smtp.store.to(deactivated.email)
    path = MAIL_LINK.search(received.get_body(("plain",)).get_content()).group(1)

    fresh = Client()
    assert fresh.get(path, follow=True).redirect_chain[-1][0] == "/portal/"
    assert fresh.get("/portal/delete/").status_code == 200
    assert fresh.post("/portal/delete/", {"confirm": "yes"}).status_code == 200
    assert not Contact.objects.filter(pk=deactivated.pk).exists()


def test_a_fresh_link_not_yet_sent_goes_with_the_person(client, deactivated):
    _ask_for_a_fresh_link(client)
    assert Outbox.objects.filter(name=MailName.PORTAL, recipient=deactivated.email).exists()
    enter(client, deactivated)
    assert client.post("/portal/delete/", {"confirm": "yes"}).status_code == 200
    assert not Outbox.objects.filter(recipient=deactivated.email).exists()
