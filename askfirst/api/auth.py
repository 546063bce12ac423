"""API key authentication: `Authorization: Bearer <key>` or `X-API-Key: <key>`."""

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, HttpBearer

from askfirst.api.models import ApiKey, hash_key

# last_used_at is for staff deciding which keys are dead; minute precision is
# plenty, and it spares a write on every request of a busy client.
LAST_USED_RESOLUTION = timedelta(minutes=1)

# A raw key is "af_" + 43 characters; anything much longer is not a key and
# is not worth hashing.
MAX_RAW_LENGTH = 200


def key_authenticate(raw: str | None) -> ApiKey | None:
    """The active key with this raw value, or None; notes when it was last used."""
    if not raw or len(raw) > MAX_RAW_LENGTH:
        return None
    key = ApiKey.objects.filter(key_hash=hash_key(raw), revoked_at__isnull=True).first()
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


class BearerKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return key_authenticate(token.strip())


class HeaderKey(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return key_authenticate(key)
