import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "af_"


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiKey(models.Model):
    """A client system's credential; only its hash is stored."""

    name = models.CharField(_("client system"), max_length=100)
    prefix = models.CharField(_("key starts with"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def assign_secret(self) -> str:
        """Give an unsaved key a fresh secret; return the raw value (never stored).

        The admin saves its own form instance, so the secret is set on that
        instance rather than created through issue().
        """
        raw = KEY_PREFIX + secrets.token_urlsafe(32)
        self.prefix = raw[:10]
        self.key_hash = hash_key(raw)
        return raw

    @classmethod
    def issue(cls, *, name: str, created_by=None) -> tuple["ApiKey", str]:
        """Create a key; the raw value is returned once and never stored."""
        key = cls(name=name, created_by=created_by)
        raw = key.assign_secret()
        key.save()
        return key, raw

    @classmethod
    def revoke_many(cls, queryset: "models.QuerySet[ApiKey]") -> int:
        """Revoke the given keys that are still active; return how many."""
        return queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
