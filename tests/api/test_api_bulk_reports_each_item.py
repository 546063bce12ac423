"""POST /api/v1/contacts/bulk lands the good items and reports each bad one."""

import pytest

from askfirst.api.schemas import BULK_LIMIT
from askfirst.contacts.models import Contact
from tests.factories import make_contact

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts/bulk"


def test_good_items_land_and_bad_items_say_why(api):
    make_contact(email="known@example.de", first_name="Known")
    response = api.post(
        URL,
        {
            "contacts": [
                {"email": "new@example.de", "first_name": "Neu"},
                {"email": "not-an-address"},
                {"email": "known@example.de", "first_name": "Known"},
                {"email": "known@example.de", "city": "Köln"},
                {"email": "x@example.de", "kind": "friend", "phone": 123, "nickname": "X"},
                {"email": "nul@example.de", "company": "A\x00B"},
                {},
            ]
        },
    )
    assert response.status_code == 200
    body = response.json()
    results = body["results"]
    assert [r["index"] for r in results] == list(range(7))
    assert [r["outcome"] for r in results] == [
        "created",
        None,
        "unchanged",
        "updated",
        None,
        None,
        None,
    ]
    assert set(results[1]["errors"]) == {"email"}
    assert set(results[4]["errors"]) == {"kind", "phone", "nickname"}
    assert set(results[5]["errors"]) == {"company"}
    assert set(results[6]["errors"]) == {"email"}
    assert results[0]["id"] == Contact.objects.get(email_key="new@example.de").pk
    assert body["counts"] == {
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "deactivated": 0,
        "rejected": 4,
    }
    assert Contact.objects.get(email_key="known@example.de").city == "Köln"
    assert Contact.objects.count() == 2


def test_an_item_that_conflicts_is_reported_and_the_rest_land(api):
    make_contact(email="a@example.com", source="connector", source_ref="1")
    make_contact(email="b@example.com", source="connector", source_ref="2")
    response = api.post(
        URL,
        {
            "contacts": [
                {"email": "b@example.com", "source": "connector", "source_ref": "1"},
                {"email": "c@example.com", "source": "connector", "source_ref": "3"},
            ]
        },
    )
    assert response.status_code == 200
    first, second = response.json()["results"]
    assert first["outcome"] is None and first["errors"]
    assert second["outcome"] == "created"
    assert Contact.objects.get(email_key="b@example.com").source_ref == "2"


def test_the_same_address_twice_in_one_batch_is_one_contact(api):
    response = api.post(
        URL,
        {
            "contacts": [
                {"email": "twice@example.de"},
                {"email": "Twice@example.de", "city": "Bonn"},
            ]
        },
    )
    assert [r["outcome"] for r in response.json()["results"]] == ["created", "updated"]
    assert Contact.objects.get().city == "Bonn"


def test_an_empty_batch_is_fine(api):
    response = api.post(URL, {"contacts": []})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_more_than_the_limit_is_refused_whole(api):
    items = [{"email": f"p{n}@example.de"} for n in range(BULK_LIMIT + 1)]
    response = api.post(URL, {"contacts": items})
    assert response.status_code == 422
    assert "contacts" in response.json()["errors"]
    assert str(BULK_LIMIT) in response.json()["errors"]["contacts"]
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"contacts": ["erika@example.de"]},
        {"contacts": {"email": "a@b.de"}},
        {},
        [{"email": "a@b.de"}],
    ],
)
def test_a_batch_of_the_wrong_shape_is_refused(api, body):
    response = api.post(URL, body)
    assert response.status_code == 422
    assert response.json()["errors"]
    assert not Contact.objects.exists()
