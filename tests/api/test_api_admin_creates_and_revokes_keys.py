"""Staff issue a key in the admin and see it once; they revoke keys with an
action; a key can be neither edited nor deleted afterwards."""

import re

import pytest
from django.urls import reverse

from askfirst.api.models import ApiKey, hash_key
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

ADD = reverse("admin:api_apikey_add")
LIST = reverse("admin:api_apikey_changelist")


@pytest.fixture
def staff_client(client):
    staff = make_staff()
    client.force_login(staff)
    return client


def _raw_key_in(response) -> str:
    match = re.search(r'value="(af_[A-Za-z0-9_-]+)"', response.content.decode())
    assert match, "the new key is shown"
    return match.group(1)


def test_adding_a_key_shows_it_once_and_stores_only_its_hash(staff_client):
    response = staff_client.post(ADD, {"name": "Newsletter tool"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = _raw_key_in(response)

    key = ApiKey.objects.get()
    assert key.name == "Newsletter tool"
    assert key.created_by.username == "staff"
    assert key.key_hash == hash_key(raw)
    assert raw not in (key.name, key.prefix, key.key_hash)

    # Nowhere to be seen again: not in the list, not on the key's page.
    assert raw not in staff_client.get(LIST).content.decode()
    page = staff_client.get(reverse("admin:api_apikey_change", args=[key.pk]))
    assert page.status_code == 200
    assert raw not in page.content.decode()


def test_the_new_key_works_on_the_api(staff_client, client):
    raw = _raw_key_in(staff_client.post(ADD, {"name": "CRM"}))
    response = client.get(
        "/api/v1/contacts", {"email": "nobody@example.de"}, headers={"X-API-Key": raw}
    )
    assert response.status_code == 404


def test_a_key_needs_a_name(staff_client):
    response = staff_client.post(ADD, {"name": ""})
    assert response.status_code == 200
    assert not ApiKey.objects.exists()


def test_the_list_shows_name_prefix_and_state(staff_client):
    ApiKey.issue(name="CRM")
    page = staff_client.get(LIST).content.decode()
    key = ApiKey.objects.get()
    assert "CRM" in page and key.prefix in page


def test_the_revoke_action_revokes_only_the_selected_keys(staff_client, client):
    crm, crm_raw = ApiKey.issue(name="CRM")
    shop, shop_raw = ApiKey.issue(name="Shop")
    response = staff_client.post(
        LIST, {"action": "revoke_selected", "_selected_action": [crm.pk]}, follow=True
    )
    assert response.status_code == 200
    crm.refresh_from_db()
    shop.refresh_from_db()
    assert crm.revoked_at is not None
    assert shop.revoked_at is None
    url = "/api/v1/contacts/1"
    assert client.get(url, headers={"X-API-Key": crm_raw}).status_code == 401
    assert client.get(url, headers={"X-API-Key": shop_raw}).status_code == 404


def test_a_key_is_neither_editable_nor_deletable(staff_client):
    key, _ = ApiKey.issue(name="CRM")
    change = reverse("admin:api_apikey_change", args=[key.pk])
    staff_client.post(change, {"name": "Renamed"})
    key.refresh_from_db()
    assert key.name == "CRM"
    delete = reverse("admin:api_apikey_delete", args=[key.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert ApiKey.objects.filter(pk=key.pk).exists()
    assert 'value="delete_selected"' not in staff_client.get(LIST).content.decode()
