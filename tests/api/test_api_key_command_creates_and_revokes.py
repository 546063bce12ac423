"""`askfirst api-key create NAME` prints a key once; `revoke PREFIX` ends it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from askfirst.api.auth import key_authenticate
from askfirst.api.models import ApiKey

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("api-key", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_create_prints_a_working_key_and_revoke_ends_it():
    raw = _run("create", "CRM")
    assert key_authenticate(raw) == ApiKey.objects.get(name="CRM")
    assert raw not in _run("list")

    _run("revoke", raw[:10])
    assert key_authenticate(raw) is None
    assert "revoked" in _run("list")


def test_revoke_refuses_unknown_short_and_ambiguous_prefixes():
    with pytest.raises(CommandError):
        _run("revoke", "af_nothere")
    with pytest.raises(CommandError):
        _run("revoke", "af_")
    key, _ = ApiKey.issue(name="A")
    ApiKey.objects.create(name="B", prefix=key.prefix, key_hash="0" * 64)
    with pytest.raises(CommandError):
        _run("revoke", key.prefix)
    assert not ApiKey.objects.filter(revoked_at__isnull=False).exists()


def test_create_needs_a_name():
    with pytest.raises(CommandError):
        _run("create", "  ")
