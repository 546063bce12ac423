"""After "No, deactivate me" the confirmation page offers complete deletion.

Deactivation keeps the address as a do-not-contact record; a person who would
rather be forgotten completely gets a fresh portal link on the confirmation
page, and the portal lets a deactivated person in to delete (docs/portal.md).
"""

import re

import pytest

from askfirst.contacts.models import Contact, Status
from askfirst.lifecycle.models import LinkToken, TokenPurpose
from askfirst.lifecycle.services import token_hash
from askfirst.lifecycle.worker import Worker
from tests.lifecycle.helpers import asking_contact, links, yes_form

pytestmark = pytest.mark.django_db

DELETE_LINK = re.compile(r'<a href="https?://[^/"]+(/l/([A-Za-z0-9_-]+)/)">([^<]+)</a>')


def _deactivated_page(smtp, client):
    contact = asking_contact(language="en")
    Worker(smtp=smtp.target).run_once()
    deactivate = links(smtp.store.to(contact.email)[-1])["deactivate"]
    response = client.post(deactivate)
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.status == Status.DEACTIVATED
    return contact, response.content.decode()


def test_the_confirmation_links_a_fresh_portal_token(smtp, client):
    contact, page = _deactivated_page(smtp, client)
    ((path, token, label),) = DELETE_LINK.findall(page)
    assert label == "Delete everything instead"
    assert "forget you completely" in page
    fresh = LinkToken.objects.get(token_hash=token_hash(token))
    assert (fresh.contact_id, fresh.purpose) == (contact.pk, TokenPurpose.PORTAL)
    assert path == f"/l/{token}/"


def test_the_link_leads_a_deactivated_person_to_complete_deletion(smtp, client):
    contact, page = _deactivated_page(smtp, client)
    ((path, _token, _label),) = DELETE_LINK.findall(page)

    home = client.get(path, follow=True)
    assert home.redirect_chain[-1][0] == "/portal/"
    assert b"Delete my profile completely" in home.content
    # A link issued a moment ago is fresh proof: no second link needed.
    delete = client.get("/portal/delete/")
    assert delete.status_code == 200
    assert client.post("/portal/delete/", {"confirm": "yes"}).status_code == 200

    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_a_yes_still_offers_the_portal_itself(smtp, client):
    contact = asking_contact(language="en")
    Worker(smtp=smtp.target).run_once()
    yes = links(smtp.store.to(contact.email)[-1])["yes"]
    page = client.post(yes, yes_form("en")).content.decode()
    ((_path, _token, label),) = DELETE_LINK.findall(page)
    assert label == "Open my portal"
