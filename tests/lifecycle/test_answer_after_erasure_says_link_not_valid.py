"""An answer racing the erasure of its person gets the "link not valid" page.

The link is found, then expiry (or a deletion) erases the person before the
answer locks the contact row. The answer must not fail with a server error:
it gets the page the same request gets a moment later, when the token is gone
with the contact, and records nothing.
"""

import pytest

from askfirst.consent.models import ConsentEvent
from askfirst.contacts.models import Contact
from askfirst.contacts.services import contact_erase
from askfirst.lifecycle import views
from askfirst.lifecycle.models import LinkToken
from askfirst.lifecycle.worker import Worker
from tests.lifecycle.helpers import asking_contact, links, token_of, yes_form

pytestmark = pytest.mark.django_db

ONE_CLICK = {
    "data": "List-Unsubscribe=One-Click",
    "content_type": "application/x-www-form-urlencoded",
}


@pytest.fixture
def erased_after_lookup(monkeypatch):
    """The erasure commits between finding the link and acting on it."""
    real = views.link_find

    def find_then_erase(*, token):
        link = real(token=token)
        contact_erase(contact=Contact.objects.get(pk=link.contact_id))
        return link

    monkeypatch.setattr(views, "link_find", find_then_erase)


@pytest.mark.parametrize(
    ("purpose", "path", "extra"),
    [
        ("yes", "/l/{}/yes/", {}),
        ("deactivate", "/l/{}/deactivate/", {}),
        ("deactivate", "/l/{}/unsubscribe/", ONE_CLICK),
    ],
)
def test_answer_to_a_person_erased_meanwhile_is_a_404_page(
    smtp, client, erased_after_lookup, purpose, path, extra
):
    contact = asking_contact(language="en", first_name="Ottilie")
    Worker(smtp=smtp.target).run_once()
    token = token_of(links(smtp.store.to(contact.email)[-1])[purpose])
    if purpose == "yes":
        extra = {"data": yes_form("en")}  # what the page's form posts

    response = client.post(path.format(token), **extra)

    assert response.status_code == 404
    assert b"This link is not valid. Nothing was changed." in response.content
    assert b"Ottilie" not in response.content
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert not ConsentEvent.objects.exists()
    assert not LinkToken.objects.exists()
