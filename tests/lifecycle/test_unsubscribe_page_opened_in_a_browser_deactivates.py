"""The List-Unsubscribe address opened in a browser (a mail client without
RFC 8058 one-click) shows the deactivate page, and its button works there.

The page's form posts back to the same address, which acts only on the
one-click body: the form carries it.
"""

import re

import pytest
from django.test import Client

from askfirst.contacts.models import Status
from askfirst.lifecycle.worker import Worker
from tests.lifecycle.helpers import asking_contact

pytestmark = pytest.mark.django_db

FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def test_the_button_on_the_unsubscribe_page_deactivates(smtp):
    contact = asking_contact(language="de")
    Worker(smtp=smtp.target).run_once()
    message = smtp.store.to(contact.email)[-1]
    path = str(message["List-Unsubscribe"]).strip("<>").removeprefix("http://127.0.0.1:8000")
    browser = Client(enforce_csrf_checks=True)

    page = browser.get(path)
    assert page.status_code == 200
    form = dict(FIELD.findall(page.content.decode()))
    contact.refresh_from_db()
    assert contact.status == Status.ASKING  # opening it changed nothing

    response = browser.post(path, form)

    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.status == Status.DEACTIVATED
