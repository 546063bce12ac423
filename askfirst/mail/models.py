from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from askfirst.contacts.models import Contact


class MailName(models.TextChoices):
    REQUEST = "request", _("Consent request")
    REMINDER = "reminder", _("Reminder")
    DELETION = "deletion", _("Deletion confirmation")
    PORTAL = "portal", _("Portal link")
    # The portal's own mails (askfirst/portal/mails.py).
    EMAIL_CONFIRM = "email_confirm", _("New address confirmation")
    EMAIL_CHANGED = "email_changed", _("Address changed notice")
    PASSWORD_CHANGED = "password_changed", _("Password changed notice")


class TemplateLanguage(models.TextChoices):
    GERMAN = "de", _("German")
    ENGLISH = "en", _("English")


class MailTemplate(models.Model):
    """One version of a mail text; staff edits add versions, never change one."""

    name = models.CharField(_("mail"), max_length=16, choices=MailName.choices)
    language = models.CharField(_("language"), max_length=2, choices=TemplateLanguage.choices)
    version = models.PositiveIntegerField(_("version"), editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders: $greeting, $company, $company_address, $privacy_contact, $data, "
            "$source, $deletion_date, $reminder_number, $yes_url, $deactivate_url, "
            "$portal_url, $link_expiry."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("mail text")
        verbose_name_plural = _("mail texts")
        ordering = ["name", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "language", "version"], name="mailtemplate_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.language} v{self.version}"


class OutboxState(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    RETRY = "retry", _("waiting to retry")
    FAILED = "failed", _("failed")
    # Not sent because the person answered, was deactivated or bounces.
    SUPPRESSED = "suppressed", _("suppressed")


# States a worker may claim; both have next_attempt_at set.
DUE_STATES = (OutboxState.PENDING, OutboxState.RETRY)
FINAL_STATES = (OutboxState.SENT, OutboxState.FAILED, OutboxState.SUPPRESSED)


class Outbox(models.Model):
    """A mail rendered once, to the exact bytes that go on the wire.

    Written in the transaction that decided to send it; delivered later by a
    worker outside any transaction (docs/mail.md).
    """

    name = models.CharField(_("mail"), max_length=16, choices=MailName.choices)
    step = models.PositiveSmallIntegerField(_("reminder number"), default=0)
    language = models.CharField(_("language"), max_length=8)
    # The MailTemplate versions used, e.g. "de:3" or "de:3,en:2".
    text_version = models.CharField(_("text version"), max_length=32)
    # Deletion confirmations have no contact: they go to a person just erased.
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="mails"
    )
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200)
    # CRLF wire text; ASCII unless the address itself needs SMTPUTF8.
    message = models.TextField(_("message"), blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outbox")
        ordering = ["-id"]
        indexes = [
            # The worker's queue: only rows still to send are in it.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["pending", "retry"]),
                name="outbox_due_idx",
            ),
            models.Index(
                fields=["claimed_at"], condition=Q(state="sending"), name="outbox_sending_idx"
            ),
            # Finished rows whose body retention has not run yet.
            models.Index(
                fields=["finished_at"],
                condition=Q(state__in=["sent", "failed", "suppressed"]) & ~Q(message=""),
                name="outbox_retention_idx",
            ),
            # Failed mails are counted on the admin index for staff to act on.
            models.Index(
                fields=["finished_at"], condition=Q(state="failed"), name="outbox_failed_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_name_display()} #{self.pk} ({self.state})"


class Bounce(models.Model):
    """An address the receiving server rejected permanently (5xx)."""

    email_key = models.CharField(_("address"), max_length=254, unique=True)
    code = models.PositiveSmallIntegerField(_("SMTP code"))
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("first bounce"), auto_now_add=True)

    class Meta:
        verbose_name = _("bouncing address")
        verbose_name_plural = _("bouncing addresses")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email_key


class SmtpOutage(models.Model):
    """The SMTP server as the workers last found it: one row, shared by them all.

    A connection that fails (refused, timed out, dropped, a 421 "closing")
    says nothing about the mails in hand, so it costs them no attempt; instead
    no worker connects again before `retry_at`, a wait that doubles with each
    failure in a row (askfirst/mail/delivery.py, docs/mail.md).
    """

    # The one row's key.
    ONLY = 1

    # Not shown in the admin (the rows' last_error and the log say why mail
    # waits), so no translated labels.
    failures = models.PositiveIntegerField(default=0)  # connection failures in a row
    since = models.DateTimeField(null=True, blank=True)  # the first of them
    retry_at = models.DateTimeField(null=True, blank=True)  # no connection before
    # The outbox row being sent when a connection last broke, and how many
    # times in a row that happened with it: a mail that breaks every
    # connection must end as failed, not hold up the queue for ever.
    dropped_mail = models.PositiveBigIntegerField(null=True, blank=True)
    dropped_count = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"SMTP: {self.failures} failure(s) in a row, next try {self.retry_at}"


class DemoMail(models.Model):
    """A mail the demo SMTP sink of `askfirst serve --demo-smtp` received."""

    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    mail_from = models.CharField(_("envelope sender"), max_length=254)
    recipients = models.TextField(_("recipients"))
    subject = models.TextField(_("subject"))
    text = models.TextField(_("text"))
    raw = models.TextField(_("raw message"))

    class Meta:
        verbose_name = _("demo mailbox message")
        verbose_name_plural = _("demo mailbox")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return self.subject
