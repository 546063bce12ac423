"""Customers kept under another legal basis after expiry are flagged for staff review."""

import pytest

from tests.factories import make_contact

pytestmark = pytest.mark.django_db


def test_the_contact_list_marks_them(staff_client, restricted):
    asking = make_contact(email="still@asking.de")

    content = staff_client.get("/admin/contacts/contact/").content.decode()

    rows = {
        email: row
        for row in content.split("<tr")
        for email in ("kunde@firma.de", "still@asking.de")
        if email in row
    }
    assert "askfirst-needs-review" in rows["kunde@firma.de"]
    assert "needs review" in rows["kunde@firma.de"]
    assert "askfirst-needs-review" not in rows[asking.email]


def test_the_index_and_the_dashboard_link_to_them(staff_client, restricted):
    link = (
        '<a href="/admin/contacts/contact/?status__exact=restricted&amp;review=needed"'
        ' id="askfirst-restricted">'
    )
    for url in ("/admin/", "/admin/contacts/contact/campaign/"):
        content = staff_client.get(url).content.decode()
        assert link + "1 restricted contact needs review</a>" in content, url
    listing = staff_client.get("/admin/contacts/contact/?status__exact=restricted&review=needed")
    assert [c.pk for c in listing.context["cl"].result_list] == [restricted.pk]


def test_the_contact_page_says_why(staff_client, restricted):
    content = staff_client.get(f"/admin/contacts/contact/{restricted.pk}/change/").content.decode()
    assert 'id="askfirst-needs-review"' in content
    assert "another legal basis" in content


def test_nothing_is_flagged_without_them(staff_client):
    make_contact()
    assert "askfirst-restricted" not in staff_client.get("/admin/").content.decode()
    assert (
        "needs review</strong>" not in staff_client.get("/admin/contacts/contact/").content.decode()
    )
