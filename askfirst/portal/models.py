"""What the portal keeps beyond the contact: sessions, a login, pending address changes,
throttles.

Every row that belongs to a person points at the contact with CASCADE, so
erasing the contact takes it along. Throttle rows hold only a keyed hash of
the address or IP they count, never the value itself.
"""

from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _

from askfirst.contacts.models import Contact


class PortalLogin(models.Model):
    """A person's portal password (Argon2id) and the session generation.

    `generation` grows whenever the password is set or the address changes;
    every portal session remembers the generation it was opened under and
    ends when they differ, which is how "log out everywhere" works.
    """

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="portal_login")
    password_hash = models.CharField(max_length=256, blank=True)
    generation = models.PositiveIntegerField(default=0)
    password_set_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("portal login")
        verbose_name_plural = _("portal logins")

    def __str__(self) -> str:
        return f"portal login of contact {self.contact_id}"

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)


class EmailChange(models.Model):
    """A new address waiting for its owner to confirm the link sent to it."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="email_changes")
    new_email = models.CharField(max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("pending address change")
        verbose_name_plural = _("pending address changes")

    def __str__(self) -> str:
        return f"address change of contact {self.contact_id}"


class Throttle(models.Model):
    """A counter per (scope, keyed hash of address or IP) in a fixed window.

    In the database so that every web process sees the same count.
    """

    key = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("throttle counter")
        verbose_name_plural = _("throttle counters")
        indexes = [models.Index(fields=["window_start"], name="portal_throttle_window_idx")]

    def __str__(self) -> str:
        return f"{self.key[:12]}… {self.count}"


class PortalSession(AbstractBaseSession):
    """Django's session row (staff sessions too), with the person it belongs to as a column.

    The session store sets the column from the session data on every save. With it, one
    query reads a portal session together with its person's state (session_store.py),
    and a person's sessions are found by index: erasure takes them along (CASCADE)
    and sessions_delete is one DELETE, instead of decoding every live session to find
    whose it is. Staff sessions have no contact.
    """

    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("session")  # type: ignore[assignment]
        verbose_name_plural = _("sessions")  # type: ignore[assignment]

    @classmethod
    def get_session_store_class(cls):
        from askfirst.portal.session_store import SessionStore

        return SessionStore
