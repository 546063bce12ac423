"""Connected systems (endpoints) and the webhooks queued for them (deliveries).

See docs/hooks.md.
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Plain http only where nothing travels over a network: tests and local setups.
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def validate_hook_url(value: str) -> None:
    URLValidator(schemes=["https", "http"])(value)
    parts = urlsplit(value)
    if parts.scheme == "http" and (parts.hostname or "") not in LOCAL_HOSTS:
        raise ValidationError(
            _("Use an https:// address (http:// only for 127.0.0.1 or localhost)."),
            code="insecure_url",
        )


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def secret_overlap() -> timedelta:
    """How long a rotated-out secret still signs (ASKFIRST_HOOK_SECRET_OVERLAP).

    Read at call time, so tests and a changed setting apply at once.
    """
    return settings.ASKFIRST_HOOK_SECRET_OVERLAP


class Event(models.TextChoices):
    CONSENT_CHANGED = "consent.changed", _("consent changed")
    CONTACT_ERASED = "contact.erased", _("contact erased")


class EndpointQuerySet(models.QuerySet["Endpoint"]):
    def listening(self, event: str) -> "EndpointQuerySet":
        """Active endpoints that asked for this event."""
        wants = "on_consent_changed" if event == Event.CONSENT_CHANGED else "on_contact_erased"
        return self.filter(active=True, **{wants: True})


class Endpoint(models.Model):
    """A connected system that receives signed webhooks."""

    name = models.CharField(_("name"), max_length=100)
    url = models.CharField(_("URL"), max_length=500, validators=[validate_hook_url])
    # Shared with the receiver, which checks Askfirst-Signature with it; it has
    # to be stored in the clear to sign (unlike API keys, which are only compared).
    secret = models.CharField(
        _("signing secret"), max_length=64, default=new_secret, editable=False
    )
    # After a rotation the old secret signs too, until the receiver has had
    # time to switch (docs/hooks.md, "Rotating the secret"); blank otherwise.
    previous_secret = models.CharField(
        _("previous signing secret"), max_length=64, blank=True, editable=False
    )
    previous_secret_until = models.DateTimeField(
        _("previous secret still signs until"), null=True, blank=True, editable=False
    )
    on_consent_changed = models.BooleanField(_("consent changes"), default=True)
    on_contact_erased = models.BooleanField(_("erasures"), default=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not (self.on_consent_changed or self.on_contact_erased):
            raise ValidationError(_("Choose at least one event: consent changes or erasures."))

    def previous_secret_in_use(self, *, at: datetime) -> bool:
        return bool(
            self.previous_secret
            and self.previous_secret_until is not None
            and at < self.previous_secret_until
        )

    def signature(self, *, body: str, timestamp: int) -> str:
        """The Askfirst-Signature header: the time is signed too, so a captured
        request cannot be replayed later with a fresh timestamp.

        During a rotation's overlap a second v1 is signed with the previous
        secret, so a receiver still holding it keeps verifying (as Stripe does).
        The new one comes first; the old one last, where a receiver that reads
        the header into a dict (the snippet docs/hooks.md had before rotation
        existed) finds it.
        """
        secrets_in_use = [self.secret]
        if self.previous_secret_in_use(at=datetime.fromtimestamp(timestamp, tz=UTC)):
            secrets_in_use.append(self.previous_secret)
        macs = (
            hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
            for secret in secrets_in_use
        )
        return ",".join([f"t={timestamp}", *(f"v1={mac}" for mac in macs)])


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class Delivery(models.Model):
    """One webhook for one endpoint, rendered once in the transaction of its
    cause and posted later by a worker outside any transaction."""

    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("endpoint")
    )
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    # The contact the body is about, until that person is erased. No foreign
    # key: erasure clears it itself (askfirst.hooks.services.deliveries_forget),
    # and a delivery about nobody keeps no body once it is finished.
    person = models.BigIntegerField(null=True, blank=True, editable=False)
    # The exact JSON that is posted and signed; blanked after the retention.
    body = models.TextField(_("body"), blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Pending: when a worker may take it. A claim pushes it forward (the lease).
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-id"]
        indexes = [
            # The worker's queue: only rows still to send are in it.
            models.Index(
                fields=["next_attempt_at"], condition=Q(state="pending"), name="delivery_due_idx"
            ),
            # Erasure finds what is queued about a person.
            models.Index(
                fields=["person"], condition=Q(person__isnull=False), name="delivery_person_idx"
            ),
            # Finished rows whose body retention has not run yet.
            models.Index(
                fields=["finished_at"],
                condition=Q(state__in=["sent", "failed"]) & ~Q(body=""),
                name="delivery_retention_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk} ({self.state})"

    @staticmethod
    def backoff(*, attempts: int) -> timedelta:
        """1×, 2×, 4×… the base wait after each failed attempt, at most a day."""
        wait = settings.ASKFIRST_HOOK_RETRY_BASE * (2 ** max(attempts - 1, 0))
        return min(wait, timedelta(days=1))
