"""Staff screens for purposes, consent texts and the (read-only) consent ledger."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from askfirst.consent.forms import ConsentTextForm
from askfirst.consent.models import ConsentEvent, ConsentState, ConsentText, Purpose
from askfirst.consent.services import consent_text_add
from askfirst.contacts.admin_base import ViewOnlyAdmin
from askfirst.contacts.models import Contact


def _language() -> str:
    return get_language() or "en"


def _when(value) -> str:
    return formats.localize(timezone.localtime(value))


def consent_states_table(contact: Contact) -> SafeString:
    """The current answer per purpose, for the contact's change page."""
    states = {
        state.purpose_id: state
        for state in ConsentState.objects.filter(contact=contact).select_related("purpose")
    }
    rows = []
    for purpose in Purpose.objects.all():
        state = states.get(purpose.pk)
        if state is None:
            answer = _("no answer")
            since = "\u2014"
        else:
            answer = _("granted") if state.granted else _("withdrawn")
            since = _when(state.updated_at)
        rows.append((purpose.name(_language()), answer, since))
    return format_html(
        '<table class="askfirst-consent-states"><thead><tr><th>{}</th><th>{}</th><th>{}</th>'
        "</tr></thead><tbody>{}</tbody></table>",
        _("purpose"),
        _("answer"),
        _("since"),
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
    )


def consent_history_table(contact: Contact) -> SafeString:
    """Every ledger event of the contact, oldest first."""
    events = (
        ConsentEvent.objects.filter(contact=contact)
        .select_related("purpose", "text", "staff_user")
        .order_by("seq")
    )
    rows = [
        (
            event.seq,
            _when(event.occurred_at),
            event.purpose.name(_language()),
            event.get_action_display(),
            event.get_channel_display(),
            event.language or "\u2014",
            f"v{event.text.version}" if event.text else "\u2014",
            event.staff_user.get_username() if event.staff_user else "\u2014",
            event.evidence or "\u2014",
        )
        for event in events
    ]
    if not rows:
        return format_html("<p>{}</p>", _("No consent events yet."))
    headers = (
        "#",
        _("date"),
        _("purpose"),
        _("decision"),
        _("channel"),
        _("language"),
        _("text version"),
        _("staff user"),
        _("note"),
    )
    return format_html(
        '<table class="askfirst-consent-history"><thead><tr>{}</tr></thead>'
        "<tbody>{}</tbody></table>",
        format_html_join("", "<th>{}</th>", ((header,) for header in headers)),
        format_html_join("", "<tr>" + "<td>{}</td>" * len(headers) + "</tr>", rows),
    )


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    list_display = ("key", "name_de", "name_en", "requires", "position")
    ordering = ("position",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The key is what every system and ledger entry refers to.
        return ("key", "requires") if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """Texts are versioned: a new wording is added as a new version, never edited."""

    form = ConsentTextForm
    list_display = ("purpose_name", "language", "version", "shown", "created_at", "excerpt")
    list_filter = ("purpose", "language")
    change_form_template = "admin/consent/consenttext/change_form.html"
    readonly_fields = ("purpose", "language", "version", "body", "body_hash", "shown", "created_at")

    @admin.display(description=_("purpose"), ordering="purpose__position")
    def purpose_name(self, obj: ConsentText) -> str:
        return obj.purpose.name(_language())

    @admin.display(description=_("shown to people"), boolean=True)
    def shown(self, obj: ConsentText) -> bool:
        return obj.was_shown()

    @admin.display(description=_("text"))
    def excerpt(self, obj: ConsentText) -> str:
        return obj.body if len(obj.body) <= 80 else obj.body[:79] + "\u2026"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConsentText]:
        return super().get_queryset(request).select_related("purpose")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("purpose", "language", "body")
        return self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """`?from=<id>` starts the new version from an existing one."""
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        source_id = request.GET.get("from", "")
        if source_id.isdigit():
            source = ConsentText.objects.filter(pk=int(source_id)).first()
            if source is not None:
                initial["purpose"] = source.purpose_id
                initial["language"] = source.language
                initial["body"] = source.body
        return initial

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        created = consent_text_add(
            purpose=form.cleaned_data["purpose"],
            language=form.cleaned_data["language"],
            body=form.cleaned_data["body"],
        )
        obj.pk = created.pk
        obj.version = created.version
        obj.body_hash = created.body_hash
        obj.created_at = created.created_at
        obj._state.adding = False
        obj._state.db = created._state.db


@admin.register(ConsentEvent)
class ConsentEventAdmin(ViewOnlyAdmin):
    """The ledger: readable by staff, never added to, changed or deleted here."""

    list_display = (
        "event_time",
        "person",
        "purpose_name",
        "decision",
        "channel_name",
        "text_version",
        "staff",
    )
    list_filter = ("channel", "action", "purpose")
    search_fields = ("contact__email_key",)
    list_select_related = ("contact", "purpose", "text", "staff_user")
    fields = (
        "person",
        "seq",
        "event_time",
        "purpose_name",
        "decision",
        "channel_name",
        "language",
        "text_version",
        "text_hash",
        "staff",
        "note",
        "ip_prefix",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    @admin.display(description=_("date"), ordering="occurred_at")
    def event_time(self, obj: ConsentEvent) -> str:
        return _when(obj.occurred_at)

    @admin.display(description=_("contact"))
    def person(self, obj: ConsentEvent) -> str:
        return str(obj.contact)

    @admin.display(description=_("purpose"), ordering="purpose__position")
    def purpose_name(self, obj: ConsentEvent) -> str:
        return obj.purpose.name(_language())

    @admin.display(description=_("decision"), ordering="action")
    def decision(self, obj: ConsentEvent) -> str:
        return obj.get_action_display()

    @admin.display(description=_("channel"), ordering="channel")
    def channel_name(self, obj: ConsentEvent) -> str:
        return obj.get_channel_display()

    @admin.display(description=_("text version"))
    def text_version(self, obj: ConsentEvent) -> str:
        return f"v{obj.text.version}" if obj.text else "\u2014"

    @admin.display(description=_("staff user"))
    def staff(self, obj: ConsentEvent) -> str:
        return obj.staff_user.get_username() if obj.staff_user else "\u2014"

    @admin.display(description=_("note"))
    def note(self, obj: ConsentEvent) -> str:
        return obj.evidence
