"""A mail's links share one personal token; the address names the action. A token
that offers one action only (links from before, the confirmation page's portal
link) does nothing else, whatever address it is put in."""

import pytest

from askfirst.consent.models import ConsentEvent
from askfirst.contacts.models import Status
from askfirst.lifecycle.models import LinkToken, TokenPurpose
from askfirst.lifecycle.worker import Worker
from tests.lifecycle.helpers import asking_contact, links, token_of, yes_form
from tests.portal.conftest import issue_link

pytestmark = pytest.mark.django_db


def test_one_row_behind_the_three_links_each_doing_its_own_thing(smtp, client):
    contact = asking_contact(language="en")
    Worker(smtp=smtp.target).run_once()
    mailed = links(smtp.store.to(contact.email)[-1])
    token = token_of(mailed["portal"])
    assert mailed == {
        "yes": f"/l/{token}/yes/",
        "deactivate": f"/l/{token}/deactivate/",
        "portal": f"/l/{token}/",
    }
    assert LinkToken.objects.get(contact=contact).purpose == TokenPurpose.MAIL

    assert b"May we keep your data?" in client.get(mailed["yes"]).content
    assert b"Deactivate your profile?" in client.get(mailed["deactivate"]).content
    entered = client.get(mailed["portal"])
    assert (entered.status_code, entered["Location"]) == (302, f"/portal/enter/{token}/")
    contact.refresh_from_db()
    assert contact.status == Status.ASKING  # looking changed nothing


@pytest.mark.parametrize(
    ("purpose", "path"),
    [
        (TokenPurpose.PORTAL, "/l/{}/yes/"),
        (TokenPurpose.PORTAL, "/l/{}/deactivate/"),
        (TokenPurpose.YES, "/l/{}/deactivate/"),
        (TokenPurpose.DEACTIVATE, "/l/{}/yes/"),
    ],
)
def test_a_single_purpose_token_offers_nothing_else(client, purpose, path):
    contact = asking_contact(language="en", first_name="Ottilie")
    token = issue_link(contact, purpose=purpose)
    for response in (client.get(path.format(token)), client.post(path.format(token))):
        assert response.status_code == 404
        assert b"This link is not valid" in response.content
        assert b"Ottilie" not in response.content
    contact.refresh_from_db()
    assert contact.status == Status.ASKING
    assert not ConsentEvent.objects.filter(contact=contact).exists()


@pytest.mark.parametrize(
    ("purpose", "outcome"),
    [(TokenPurpose.YES, Status.ANSWERED), (TokenPurpose.DEACTIVATE, Status.DEACTIVATED)],
)
def test_a_single_purpose_token_still_acts_at_its_plain_address(client, purpose, outcome):
    contact = asking_contact(language="en")
    token = issue_link(contact, purpose=purpose)
    assert client.post(f"/l/{token}/", yes_form("en")).status_code == 200
    contact.refresh_from_db()
    assert contact.status == outcome
