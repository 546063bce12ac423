from django.db import models
from django.utils.translation import gettext_lazy as _

from askfirst.contacts.models import Contact


class TokenPurpose(models.TextChoices):
    # Every link of one mail: its address names the action (/yes/,
    # /deactivate/, or none for the portal). One row per mail instead of one
    # per link: the worker writes a third of the rows (docs/lifecycle.md).
    MAIL = "mail", _("Links of one mail")
    # One action each: links of mails sent before MAIL tokens existed, and
    # the fresh portal link on a confirmation page.
    YES = "yes", _("Yes, keep my data")
    DEACTIVATE = "deactivate", _("No, deactivate me")
    PORTAL = "portal", _("Open my portal")


class LinkToken(models.Model):
    """A personal link from one mail. Only the SHA-256 of the token is stored:
    a copy of the database does not hold working links."""

    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(_("purpose"), max_length=16, choices=TokenPurpose.choices)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="link_tokens")
    # The mail's language ("de", "en" or "de+en"): the page answers in it.
    language = models.CharField(_("language"), max_length=8)
    # The mail the link came in (a MailName) and its text versions (as
    # Outbox.text_version, e.g. "de:3,en:2"): an answer given through the link
    # is recorded with them, so the ledger names the exact text the person
    # answered. Empty for links that came in no mail (the confirmation page's
    # portal link). No choices: a new mail name needs no migration here.
    mail = models.CharField(_("mail"), max_length=16, blank=True)
    text_version = models.CharField(_("text version"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("link token")
        verbose_name_plural = _("link tokens")

    def __str__(self) -> str:
        return f"{self.purpose} for contact {self.contact_id}"

    def action(self, requested: str | None = None) -> str | None:
        """What following the link does: `requested` (the action its address
        names) if the token offers it, else None; with none named, the portal
        for a mail's token, or the token's own single purpose."""
        if requested is None:
            return TokenPurpose.PORTAL if self.purpose == TokenPurpose.MAIL else self.purpose
        if self.purpose in (TokenPurpose.MAIL, requested):
            return requested
        return None
