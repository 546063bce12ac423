from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from askfirst.contacts.models import Contact
from askfirst.mail.models import Bounce, DemoMail, MailTemplate, Outbox, OutboxState, SmtpOutage
from askfirst.mail.render import PLACEHOLDERS, placeholders_used
from askfirst.mail.services import mail_template_add, outbox_retry


def _listed(names: set[str] | frozenset[str]) -> str:
    return ", ".join(f"${name}" for name in sorted(names))


class MailTemplateForm(forms.ModelForm):
    """Checks the placeholders: rendering leaves an unknown `$name` in the mail
    as it is (a typo like `$yes_urll` would reach people), and a text without
    a link its mail exists for cannot be answered."""

    class Meta:
        model = MailTemplate
        fields = ["name", "language", "subject", "body"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        placeholders = PLACEHOLDERS.get(self.instance.name) if self.instance.pk else None
        if placeholders is not None and "body" in self.fields:
            # On an edit the mail is known: say exactly what this text may use.
            help_text = _("Placeholders: %(names)s.") % {"names": _listed(placeholders.provided)}
            if placeholders.required:
                help_text += " " + _("Required: %(names)s.") % {
                    "names": _listed(placeholders.required)
                }
            self.fields["body"].help_text = help_text

    def clean(self):
        cleaned = super().clean() or {}
        # The name is read-only on an edit, so it comes from the text edited.
        name = self.instance.name if self.instance.pk else cleaned.get("name")
        placeholders = PLACEHOLDERS.get(name or "")
        if placeholders is None:
            return cleaned
        for field in ("subject", "body"):
            text = cleaned.get(field)
            if text is None:
                continue  # already rejected (empty, too long)
            unknown = placeholders_used(text) - placeholders.provided
            if unknown:
                self.add_error(
                    field,
                    ngettext(
                        "Unknown placeholder %(names)s. This mail can use: %(allowed)s.",
                        "Unknown placeholders %(names)s. This mail can use: %(allowed)s.",
                        len(unknown),
                    )
                    % {"names": _listed(unknown), "allowed": _listed(placeholders.provided)},
                )
        body = cleaned.get("body")
        if body is not None:
            missing = placeholders.required - placeholders_used(body)
            if missing:
                self.add_error(
                    "body",
                    ngettext(
                        "This mail needs the placeholder %(names)s in its text.",
                        "This mail needs the placeholders %(names)s in its text.",
                        len(missing),
                    )
                    % {"names": _listed(missing)},
                )
        return cleaned


@admin.register(MailTemplate)
class MailTemplateAdmin(admin.ModelAdmin):
    form = MailTemplateForm
    list_display = ["name", "language", "version", "subject", "created_at"]
    list_filter = ["name", "language"]
    readonly_fields = ["version", "created_at"]
    fields = ["name", "language", "version", "subject", "body", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # Name and language identify the text; only the wording is edited.
        return [*self.readonly_fields, "name", "language"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        # A sent mail names the version it used: an edit is always a new version.
        new = mail_template_add(
            name=obj.name, language=obj.language, subject=obj.subject, body=obj.body
        )
        obj.pk, obj.version = new.pk, new.version
        messages.info(request, _("Saved as version %(version)s.") % {"version": new.version})

    def has_delete_permission(self, request, obj=None):
        return False


class ContactFilter(admin.SimpleListFilter):
    """`?contact=<id>`: one contact's mails (linked from the contact page).

    Shown only while it is in use: a list of every contact would not fit.
    """

    title = _("contact")
    parameter_name = "contact"

    def lookups(self, request, model_admin):
        value = self.value()
        if not value or not value.isdigit():
            return ()
        contact = Contact.objects.filter(pk=int(value)).only("email").first()
        return ((value, contact.email if contact else value),)

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(contact_id=int(value))


def _moment(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else "?"


def outage_notice(outage: SmtpOutage) -> str:
    return ngettext(
        "The SMTP server could not be reached %(count)d time in a row (since %(since)s). "
        "Delivery resumes by itself; the next try is at %(retry_at)s. Waiting mails use up "
        "none of their attempts meanwhile.",
        "The SMTP server could not be reached %(count)d times in a row (since %(since)s). "
        "Delivery resumes by itself; the next try is at %(retry_at)s. Waiting mails use up "
        "none of their attempts meanwhile.",
        outage.failures,
    ) % {
        "count": outage.failures,
        "since": _moment(outage.since),
        "retry_at": _moment(outage.retry_at),
    }


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "name",
        "step",
        "language",
        "recipient",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "person",
    ]
    list_filter = ["state", "name", "language", ContactFilter]
    search_fields = ["recipient", "message_id"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    exclude = ["message", "contact"]
    readonly_fields = [
        "name",
        "step",
        "language",
        "text_version",
        "person",
        "recipient",
        "message_id",
        "state",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "claimed_by",
        "created_at",
        "sent_at",
        "finished_at",
        "last_error",
    ]
    list_select_related = False
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # Staff look here when mail is late: say so when the server is the cause,
        # and that the waiting mails are safe (an outage costs them no attempt).
        # Only while the workers pause: once retry_at has passed they knock
        # again, and a row nobody cleared (nothing was due since) is history.
        outage = SmtpOutage.objects.filter(
            pk=SmtpOutage.ONLY, failures__gt=0, retry_at__gt=timezone.now()
        ).first()
        if outage is not None:
            messages.warning(request, outage_notice(outage))
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("contact"))
    def person(self, obj):
        """A link to the contact (by id: no join per row); deletion confirmations have none."""
        if obj.contact_id is None:
            return "\u2014"
        return format_html(
            '<a href="{}" class="askfirst-outbox-contact">{}</a>',
            reverse("admin:contacts_contact_change", args=[obj.contact_id]),
            _("contact #%(id)s") % {"id": obj.contact_id},
        )

    @admin.action(description=_("Send again now"))
    def retry_now(self, request, queryset):
        ids = list(
            queryset.filter(state__in=[OutboxState.FAILED, OutboxState.RETRY]).values_list(
                "pk", flat=True
            )
        )
        count = outbox_retry(ids=ids)
        self.message_user(
            request,
            ngettext("%(count)d mail queued again.", "%(count)d mails queued again.", count)
            % {"count": count},
        )


@admin.register(Bounce)
class BounceAdmin(admin.ModelAdmin):
    list_display = ["email_key", "code", "reason", "created_at"]
    search_fields = ["email_key"]
    readonly_fields = ["email_key", "code", "reason", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(DemoMail)
class DemoMailAdmin(admin.ModelAdmin):
    list_display = ["received_at", "recipients", "subject"]
    search_fields = ["recipients", "subject"]
    readonly_fields = ("received_at", "mail_from", "recipients", "subject", "text", "raw")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
