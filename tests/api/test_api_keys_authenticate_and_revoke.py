"""Only an active API key opens the API; askfirst stores only its hash."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from askfirst.api.models import ApiKey, hash_key

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts"
BODY = {"email": "erika@example.de"}


def test_a_bearer_key_and_an_x_api_key_header_both_work(api):
    assert api.put(URL, BODY).status_code == 201
    response = api.put(URL, BODY, auth=False, headers={"X-API-Key": api.raw})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer af_not-a-key"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"X-API-Key": "af_not-a-key"},
        {"X-API-Key": "x" * 5000},
    ],
)
def test_a_missing_or_unknown_key_is_refused(api, headers):
    response = api.put(URL, BODY, auth=False, headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_is_refused(api, api_key):
    key, raw = api_key
    assert api.put(URL, BODY).status_code == 201
    ApiKey.revoke_many(ApiKey.objects.filter(pk=key.pk))
    assert api.put(URL, BODY).status_code == 401
    assert api.put(URL, BODY, auth=False, headers={"X-API-Key": raw}).status_code == 401
    assert api.get(URL, email="erika@example.de").status_code == 401


def test_every_endpoint_asks_for_a_key(client, db):
    for method, path in [
        ("put", URL),
        ("get", URL + "?email=erika@example.de"),
        ("get", URL + "/1"),
        ("post", URL + "/bulk"),
        ("post", URL + "/1/consent"),
    ]:
        response = client.generic(method.upper(), path, "{}", content_type="application/json")
        assert response.status_code == 401, (method, path)


def test_last_used_is_noted_at_most_once_a_minute(api, api_key):
    key, _ = api_key
    assert key.last_used_at is None
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        api.put(URL, BODY)
        key.refresh_from_db()
        first = key.last_used_at
        assert first == timezone.now()

        traveller.shift(timedelta(seconds=30))
        api.put(URL, BODY)
        key.refresh_from_db()
        assert key.last_used_at == first

        traveller.shift(timedelta(seconds=31))
        api.put(URL, BODY)
        key.refresh_from_db()
        assert key.last_used_at == timezone.now()


def test_only_the_hash_of_a_key_is_stored(api_key):
    key, raw = api_key
    assert raw.startswith("af_") and len(raw) > 40
    assert key.key_hash == hash_key(raw)
    assert raw.startswith(key.prefix) and len(key.prefix) < len(raw) // 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apikey")
        rows = cursor.fetchall()
    assert rows
    assert not any(raw in str(value) for row in rows for value in row)
