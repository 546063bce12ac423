"""A link of contact A opens A's portal and never shows B's data."""

import pytest

from tests.factories import make_contact
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("purpose", ["portal", "yes", "deactivate"])
def test_any_live_mail_link_opens_the_portal_of_its_contact(client, purpose):
    a = make_contact(email="a-person@example.org", first_name="Adalbert", company="Acme A")
    b = make_contact(email="b-person@example.org", first_name="Berenike", company="Borg B")
    enter(client, a, purpose=purpose)
    for url in ["/portal/", "/portal/data/", "/portal/consent/", "/portal/history/"]:
        content = client.get(url).content.decode()
        assert "Berenike" not in content and "b-person@example.org" not in content
        assert "Borg B" not in content
    assert "Adalbert" in client.get("/portal/data/").content.decode()
    copy = client.get("/portal/copy/download/").json()
    assert copy["person"]["email"] == "a-person@example.org"
    assert "Berenike" not in str(copy)
    assert b.pk != a.pk


def test_session_key_changes_when_a_link_opens_a_session(client, db):
    contact = make_contact()
    client.get("/portal/start/")
    before = client.session.session_key
    enter(client, contact)
    assert client.session.session_key != before


def test_a_second_link_replaces_the_first_persons_session(client, db):
    a = make_contact(first_name="Adalbert")
    b = make_contact(first_name="Berenike")
    enter(client, a)
    enter(client, b)
    content = client.get("/portal/data/").content.decode()
    assert "Berenike" in content and "Adalbert" not in content


def test_without_a_session_pages_send_to_the_start(client, db):
    response = client.get("/portal/data/")
    assert response.status_code == 302 and response["Location"] == "/portal/start/"
