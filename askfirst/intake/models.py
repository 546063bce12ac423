from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    CSV = "csv", _("CSV")
    VCARD = "vcard", _("vCard")


class ImportRun(models.Model):
    """One staff upload: its counts and rejected rows, never the imported rows.

    The rejected rows hold personal data of people who may later ask to be
    forgotten, so `askfirst scrub` clears them after ASKFIRST_IMPORT_REJECTS_RETENTION.
    """

    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_name = models.CharField(_("file"), max_length=255)
    kind = models.CharField(_("format"), max_length=8, choices=ImportKind.choices)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    deactivated = models.PositiveIntegerField(_("skipped (deactivated)"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    report = models.TextField(_("report"), blank=True)
    rejects = models.TextField(_("rejected rows (CSV)"), blank=True)
    # Rejected rows past the cap on what `rejects` keeps (askfirst/intake/report.py).
    rejects_cut = models.PositiveIntegerField(_("rejected rows not kept"), default=0)

    class Meta:
        verbose_name = _("contact import")
        verbose_name_plural = _("contact imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"
