"""RFC 8058: a POST of `List-Unsubscribe=One-Click` to the List-Unsubscribe URL
deactivates, with no session and no CSRF token; anything else does not."""

import pytest
from django.test import Client

from askfirst.contacts.models import Status
from askfirst.lifecycle.models import TokenPurpose
from askfirst.lifecycle.worker import Worker
from tests.lifecycle.helpers import asking_contact, links
from tests.portal.conftest import issue_link

pytestmark = pytest.mark.django_db


def _unsubscribe_path(smtp):
    contact = asking_contact(language="de")
    Worker(smtp=smtp.target).run_once()
    message = smtp.store.messages()[-1]
    url = str(message["List-Unsubscribe"]).strip("<>")
    return contact, url.removeprefix("http://127.0.0.1:8000"), links(message)


def test_one_click_post_deactivates_without_session_or_csrf(smtp):
    contact, path, _ = _unsubscribe_path(smtp)
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.status == Status.DEACTIVATED


def test_one_click_url_ignores_other_bodies_and_gets(smtp):
    contact, path, _ = _unsubscribe_path(smtp)
    client = Client(enforce_csrf_checks=True)
    assert client.get(path).status_code == 200
    assert (
        client.post(path, data="x=1", content_type="application/x-www-form-urlencoded").status_code
        == 400
    )
    # A token that offers only "yes" (a mail's from before one token served
    # all its links) cannot be used for one-click.
    yes_path = f"/l/{issue_link(contact, purpose=TokenPurpose.YES)}/unsubscribe/"
    assert (
        client.post(
            yes_path,
            data="List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        ).status_code
        == 400
    )
    contact.refresh_from_db()
    assert contact.status == Status.ASKING
