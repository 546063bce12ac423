"""Bad input gets a 4xx naming each bad field, never a 500, and stores nothing."""

import json

import pytest

from askfirst.contacts.models import Contact

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": "erika@"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "a" * 250 + "@example.de"}, "email"),
        ({"email": "eri\x00ka@example.de"}, "email"),
        ({"first_name": "Erika"}, "email"),
        ({"email": 42}, "email"),
        ({"email": "erika@example.de", "first_name": 5}, "first_name"),
        ({"email": "erika@example.de", "first_name": ["Erika"]}, "first_name"),
        ({"email": "erika@example.de", "first_name": "E" * 151}, "first_name"),
        ({"email": "erika@example.de", "source_ref": "1" * 201}, "source_ref"),
        ({"email": "erika@example.de", "city": "Kö\x00ln"}, "city"),
        ({"email": "erika@example.de", "company": "\ud800"}, "company"),
        ({"email": "erika@example.de", "source": "fax"}, "source"),
        ({"email": "erika@example.de", "kind": "friend"}, "kind"),
        ({"email": "erika@example.de", "frist_name": "Erika"}, "frist_name"),
    ],
)
def test_each_bad_field_is_named(api, body, field):
    response = api.put(URL, body)
    assert response.status_code == 422, response.content
    payload = response.json()
    assert payload["detail"]
    assert field in payload["errors"]
    assert payload["errors"][field]
    assert not Contact.objects.exists()


def test_several_bad_fields_are_named_together(api):
    response = api.put(URL, {"email": "nope", "kind": "friend", "phone": "1" * 51, "city": "a\x00"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    # The schema checks come first; the address rules once those pass.
    assert {"kind", "phone", "city"} <= set(errors)


@pytest.mark.parametrize(
    "raw", ["{not json", "", "null", "[]", '"erika@example.de"', "42", b"\xff\xfe\x00"]
)
def test_a_body_that_is_not_a_json_object_is_refused(api, raw):
    response = api.put(URL, raw_body=raw)
    assert response.status_code in {400, 422}
    assert response.json()["detail"]
    assert not Contact.objects.exists()


def test_a_huge_body_is_refused_with_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = {"contacts": [{"email": f"p{n}@example.de", "street": "x" * 150} for n in range(100)]}
    response = api.post(f"{URL}/bulk", raw_body=json.dumps(body))
    assert response.status_code == 413
    assert response.json()["detail"]
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"email": "nope"}, "email"),
        ({}, "email"),
        ({"source": "fax", "source_ref": "1"}, "source"),
        ({"email": "x" * 300}, "email"),
        ({"source": "connector", "source_ref": "a\x00b"}, "source_ref"),
    ],
)
def test_a_bad_lookup_names_the_field(api, params, field):
    response = api.get(URL, **params)
    assert response.status_code == 422
    assert field in response.json()["errors"]


@pytest.mark.parametrize("contact_id", ["0", "-1", "abc", "99999999999999999999999"])
def test_a_bad_contact_id_is_refused(api, contact_id):
    response = api.get(f"{URL}/{contact_id}")
    assert response.status_code == 422
    assert "contact_id" in response.json()["errors"]


def test_an_unknown_contact_is_404(api):
    assert api.get(f"{URL}/999999").status_code == 404
    assert api.get(URL, email="nobody@example.de").status_code == 404
