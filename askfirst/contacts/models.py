from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")


class Source(models.TextChoices):
    FORM = "form", _("Web form")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("Email")
    BUSINESS_CARD = "business_card", _("Business card")
    PHONE = "phone", _("Phone")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    CONNECTOR = "connector", _("CRM connector")


class MailLanguage(models.TextChoices):
    UNSET = "", _("Not chosen yet")
    GERMAN = "de", _("German")
    ENGLISH = "en", _("English")
    BILINGUAL = "de+en", _("German and English")


class Status(models.TextChoices):
    QUEUED = "queued", _("Waiting for a mail language")
    ASKING = "asking", _("Asking for consent")
    ANSWERED = "answered", _("Answered")
    DEACTIVATED = "deactivated", _("Deactivated (do not contact)")
    RESTRICTED = "restricted", _("Restricted (other legal basis)")


# The personal fields a contact holds beyond the address; deactivation blanks
# them and the extranet may show each one only if the person allows it.
PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "position",
    "phone",
    "street",
    "postal_code",
    "city",
    "country",
)


class Contact(models.Model):
    email = models.CharField(_("email address"), max_length=254)
    # The case-folded address; uniqueness and every lookup go through it. Unique
    # by a constraint, not unique=True: on PostgreSQL that would add a second
    # (LIKE) index nothing uses, a fifth of the cost of each import COPY.
    email_key = models.CharField(max_length=254, editable=False)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PROSPECT)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    source_ref = models.CharField(_("id in the source system"), max_length=200, blank=True)
    # A language the source told us (a CRM language field, the form's language).
    source_language = models.CharField(_("language given by the source"), max_length=16, blank=True)

    mail_language = models.CharField(
        _("mail language"), max_length=8, choices=MailLanguage.choices, blank=True
    )
    suggested_language = models.CharField(
        _("suggested language"), max_length=8, choices=MailLanguage.choices, blank=True
    )
    suggestion_reason = models.CharField(_("why this suggestion"), max_length=200, blank=True)
    language_chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("language chosen by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        # Indexed only where set (see Meta): most contacts never have it.
        db_index=False,
    )
    language_chosen_at = models.DateTimeField(_("language chosen at"), null=True, blank=True)
    # Chosen by the operator's rule (ASKFIRST_AUTO_LANGUAGE), not by staff.
    language_chosen_automatically = models.BooleanField(
        _("language chosen automatically"), default=False
    )
    portal_language = models.CharField(_("portal language"), max_length=8, blank=True)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    # The consent request as data: the step reached (0 = request not yet sent,
    # n = request plus n-1 reminders sent) and when the worker must act next.
    # Empty once the process has ended, so the due rows stay a small index.
    lifecycle_step = models.PositiveSmallIntegerField(_("mails sent"), default=0)
    asking_since = models.DateTimeField(_("asking since"), null=True, blank=True)
    next_action_at = models.DateTimeField(_("next action at"), null=True, blank=True)
    topics: "models.ManyToManyField[Topic, models.Model]" = models.ManyToManyField(
        "Topic", verbose_name=_("interests"), blank=True
    )
    # Field names from PERSONAL_FIELDS the person shares in the extranet; empty
    # by default (GDPR Art. 25(2): privacy by default).
    extranet_fields = models.JSONField(_("visible in the extranet"), default=list, blank=True)

    # Head of this contact's consent-event hash chain; verify-ledger checks the
    # chain ends here, so removing the newest events is detected too.
    ledger_length = models.PositiveIntegerField(default=0, editable=False)
    ledger_head = models.CharField(max_length=64, blank=True, editable=False)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(fields=["email_key"], name="contact_unique_email_key"),
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=~Q(source_ref=""),
                name="contact_unique_source_ref",
            ),
        ]
        indexes = [
            # Deleting a staff user clears their choices through this.
            models.Index(
                fields=["language_chosen_by"],
                condition=Q(language_chosen_by__isnull=False),
                name="contact_chosen_by_idx",
            ),
            models.Index(
                fields=["created_at"],
                condition=Q(status="queued"),
                name="contact_queue_idx",
            ),
            models.Index(
                fields=["next_action_at"],
                condition=Q(next_action_at__isnull=False),
                name="contact_due_idx",
            ),
            # Staff review these; the admin index counts them on every visit.
            models.Index(
                fields=["updated_at"],
                condition=Q(status="restricted"),
                name="contact_restricted_idx",
            ),
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name} <{self.email}>" if name else self.email

    @property
    def is_deactivated(self) -> bool:
        return self.status == Status.DEACTIVATED

    # What start_asking sets, for save(update_fields=...).
    ASKING_FIELDS = (
        "mail_language",
        "language_chosen_by",
        "language_chosen_at",
        "language_chosen_automatically",
        "status",
        "lifecycle_step",
        "asking_since",
        "next_action_at",
    )

    def start_asking(self, *, language: str, by, at, automatically: bool = False) -> None:
        """The mail language is chosen: the consent request is due at once."""
        self.mail_language = language
        self.language_chosen_by = by
        self.language_chosen_at = at
        self.language_chosen_automatically = automatically
        self.status = Status.ASKING
        self.lifecycle_step = 0
        self.asking_since = at
        self.next_action_at = at

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def extranet_shown(self) -> dict[str, str]:
        """Field name → value of what other customers may see in the extranet.

        The one place the rule lives: only the fields the person ticked, and
        none at all while the extranet purpose is not granted (ticks are kept,
        so agreeing later shows them). Every display of extranet data asks here.
        """
        if not self.extranet_fields:
            return {}
        # Imported here: the consent app's models import this module.
        from askfirst.consent.models import PurposeKey

        if not self.consent_states.filter(purpose__key=PurposeKey.EXTRANET, granted=True).exists():
            return {}
        ticked = set(self.extranet_fields)
        return {name: getattr(self, name) for name in PERSONAL_FIELDS if name in ticked}


class Topic(models.Model):
    key = models.SlugField(_("key"), unique=True)
    label_de = models.CharField(_("label (German)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.label_en

    def label(self, language: str) -> str:
        return self.label_de if language.startswith("de") else self.label_en


class RestrictionBasis(models.TextChoices):
    CONTRACT = "contract", _("contract (Art. 6(1)(b) GDPR)")
    LEGITIMATE_INTEREST = "legitimate_interest", _("legitimate interest (Art. 6(1)(f) GDPR)")


class RestrictionReview(models.Model):
    """Staff's decision on a customer restricted after the request expired: the
    legal basis the data is kept under, who decided and when. A restricted contact
    without one is flagged for review; a new restriction drops the old decision."""

    contact = models.OneToOneField(
        Contact, on_delete=models.CASCADE, related_name="restriction_review"
    )
    basis = models.CharField(_("legal basis"), max_length=32, choices=RestrictionBasis.choices)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"))

    class Meta:
        verbose_name = _("restriction review")
        verbose_name_plural = _("restriction reviews")

    def __str__(self) -> str:
        return f"{self.basis} ({self.reviewed_at:%Y-%m-%d})"


class ErasureReason(models.TextChoices):
    # Asked, never answered: the dashboard counts them among those asked.
    EXPIRED = "expired", _("no answer (expired)")
    PERSON = "person", _("the person's wish")
    STAFF = "staff", _("by staff")
    # Erasures counted before the reason was kept.
    OTHER = "other", _("other")


class ErasureCount(models.Model):
    """The only trace an erasure leaves: how many happened on a day, and why."""

    day = models.DateField()
    reason = models.CharField(
        _("reason"), max_length=16, choices=ErasureReason.choices, default=ErasureReason.OTHER
    )
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("erasures per day")
        verbose_name_plural = _("erasures per day")
        ordering = ["-day", "reason"]
        constraints = [
            models.UniqueConstraint(fields=["day", "reason"], name="erasurecount_unique_day_reason")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.reason}: {self.count}"


class Upkeep(models.Model):
    """A maintenance job that is due after certain changes (e.g. a scrub after erasures).

    One row per job; `due_at` is set by the change that needs the job and
    cleared by the one worker that claims it.
    """

    name = models.CharField(max_length=32, primary_key=True)
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("upkeep job")
        verbose_name_plural = _("upkeep jobs")

    def __str__(self) -> str:
        return self.name
