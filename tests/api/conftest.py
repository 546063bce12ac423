import json

import pytest

from askfirst.api.models import ApiKey


class ApiClient:
    """The Django test client speaking JSON with an API key."""

    def __init__(self, client, raw: str):
        self.client = client
        self.raw = raw

    def call(self, method: str, path: str, body=None, *, raw_body=None, headers=None, auth=True):
        sent = {"Authorization": f"Bearer {self.raw}"} if auth else {}
        sent.update(headers or {})
        data = raw_body if raw_body is not None else (json.dumps(body) if body is not None else "")
        return getattr(self.client, method)(
            path, data=data, content_type="application/json", headers=sent
        )

    def get(self, path: str, **params):
        return self.client.get(path, params, headers={"Authorization": f"Bearer {self.raw}"})

    def put(self, path: str, body=None, **kwargs):
        return self.call("put", path, body, **kwargs)

    def post(self, path: str, body=None, **kwargs):
        return self.call("post", path, body, **kwargs)


@pytest.fixture
def api_key(db):
    return ApiKey.issue(name="CRM")


@pytest.fixture
def api(client, api_key):
    return ApiClient(client, api_key[1])
