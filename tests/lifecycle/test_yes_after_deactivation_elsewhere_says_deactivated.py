"""A "yes" racing a deactivation made elsewhere gets the deactivated page.

The link is found (its contact still asking), then the person deactivates
through another mail's link or a connected system does it, before the "yes" locks the row.
consent_record refuses a grant to a deactivated contact; the page must say the
person is deactivated (what the same request gets a moment later), not fail
with a server error, and nothing is recorded.
"""

import pytest

from askfirst.consent.models import ConsentEvent
from askfirst.consent.services import Proof, contact_deactivate
from askfirst.contacts.models import Contact, Status
from askfirst.lifecycle import views
from askfirst.lifecycle.worker import Worker
from tests.lifecycle.helpers import asking_contact, links, yes_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def deactivated_after_lookup(monkeypatch):
    real = views.link_find

    def find_then_deactivate(*, token):
        link = real(token=token)
        contact_deactivate(
            contact=Contact.objects.get(pk=link.contact_id),
            proof=Proof(channel="api", language="en"),
        )
        return link

    monkeypatch.setattr(views, "link_find", find_then_deactivate)


def test_yes_to_a_person_deactivated_meanwhile_shows_deactivated(
    smtp, client, deactivated_after_lookup
):
    contact = asking_contact(language="en")
    Worker(smtp=smtp.target).run_once()
    yes = links(smtp.store.to(contact.email)[-1])["yes"]
    events_before = ConsentEvent.objects.filter(contact=contact).count()

    response = client.post(yes, yes_form("en"))

    assert response.status_code == 200
    assert b"This address is deactivated" in response.content
    contact.refresh_from_db()
    assert contact.status == Status.DEACTIVATED
    granted = ConsentEvent.objects.filter(contact=contact, action="granted")
    assert not granted.exists()
    # Only the deactivation's own events were added.
    assert ConsentEvent.objects.filter(contact=contact).count() > events_before
