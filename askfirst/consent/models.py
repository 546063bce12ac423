import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from askfirst.contacts.models import Contact


class PurposeKey(models.TextChoices):
    STORAGE = "storage", _("Storage and processing")
    NEWSLETTER = "newsletter", _("Email newsletter")
    TRACKING = "tracking", _("Personalised tracking")
    EXTRANET = "extranet", _("Sharing in the extranet")


class Action(models.TextChoices):
    GRANTED = "granted", _("granted")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Channel(models.TextChoices):
    MAIL_LINK = "mail_link", _("Mail link")
    PORTAL = "portal", _("Portal")
    STAFF = "staff", _("Staff")
    API = "api", _("API")
    IMPORT = "import", _("Import")


class Purpose(models.Model):
    key = models.CharField(_("key"), max_length=32, unique=True)
    requires = models.ForeignKey(
        "self",
        verbose_name=_("requires"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("The purpose that must be granted before this one."),
    )
    position = models.PositiveSmallIntegerField(default=0)
    name_de = models.CharField(_("name (German)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    description_de = models.TextField(_("description (German)"))
    description_en = models.TextField(_("description (English)"))

    class Meta:
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name_en

    def name(self, language: str) -> str:
        return self.name_de if language.startswith("de") else self.name_en

    def description(self, language: str) -> str:
        return self.description_de if language.startswith("de") else self.description_en


def text_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class ConsentText(models.Model):
    """The exact words a person sees when asked for one purpose.

    A version that was shown to anyone is proof and never changes; a new
    wording is a new version.
    """

    purpose = models.ForeignKey(
        Purpose, verbose_name=_("purpose"), on_delete=models.PROTECT, related_name="texts"
    )
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    version = models.PositiveIntegerField(_("version"), editable=False)
    body = models.TextField(_("text"))
    body_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Set once a mail, page or ledger event showed this version to anyone.
    shown_in_mail = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["purpose__position", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "language", "version"], name="consenttext_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose.key} {self.language} v{self.version}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = ConsentText.objects.get(pk=self.pk)
            if stored.body != self.body and self.was_shown():
                raise ValidationError(
                    _("This text version was shown to people; add a new version instead.")
                )
        self.body_hash = text_hash(self.body)
        super().save(*args, **kwargs)

    def was_shown(self) -> bool:
        return self.events.exists() or self.shown_in_mail


class ConsentEvent(models.Model):
    """One entry in the append-only consent ledger (one hash chain per contact).

    Its fields cover the mandatory ones of an ISO/IEC TS 27560 consent record:
    subject, purpose, state, time, method (channel), notice (text version and
    its hash), and the controller-side actor where staff acted.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consent_events")
    seq = models.PositiveIntegerField(editable=False)
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    occurred_at = models.DateTimeField()
    channel = models.CharField(max_length=16, choices=Channel.choices)
    language = models.CharField(max_length=2, blank=True)
    text = models.ForeignKey(
        ConsentText, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    text_hash = models.CharField(max_length=64, blank=True)
    token_hash = models.CharField(max_length=64, blank=True)
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    evidence = models.TextField(blank=True)
    ip_prefix = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        ordering = ["contact_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "seq"], name="consentevent_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.purpose_id} {self.action} ({self.channel})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError("Consent events are append-only.")
        super().save(*args, **kwargs)

    def content(self) -> dict:
        """What the hash covers: every field that carries meaning."""
        return {
            "contact": self.contact_id,
            "seq": self.seq,
            "purpose": self.purpose_id,
            "action": self.action,
            "occurred_at": self.occurred_at.isoformat(timespec="microseconds"),
            "channel": self.channel,
            "language": self.language,
            "text": self.text_id,
            "text_hash": self.text_hash,
            "token_hash": self.token_hash,
            "staff_user": self.staff_user_id,
            "evidence": self.evidence,
            "ip_prefix": self.ip_prefix,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(self.content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ConsentState(models.Model):
    """The current answer per (contact, purpose), kept in step with the ledger."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consent_states")
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+")
    granted = models.BooleanField()
    event = models.OneToOneField(ConsentEvent, on_delete=models.CASCADE, related_name="+")
    updated_at = models.DateTimeField()
    # Only on a withdrawn storage row of a contact that is neither deactivated
    # nor kept on another legal basis: when the worker deactivates the contact
    # (ASKFIRST_WITHDRAWN_GRACE after the withdrawal). A yes to storage and the
    # deactivation clear it; an erasure takes the row.
    deactivate_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consent state")
        verbose_name_plural = _("consent states")
        constraints = [
            models.UniqueConstraint(fields=["contact", "purpose"], name="consentstate_unique"),
        ]
        indexes = [
            # The worker's lookup of contacts due for deactivation: only those
            # waiting are in it, so it costs what is due, not the table size.
            models.Index(
                fields=["deactivate_at"],
                condition=Q(deactivate_at__isnull=False),
                name="consentstate_lapse_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}/{self.purpose_id}: {'granted' if self.granted else 'withdrawn'}"
