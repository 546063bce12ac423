"""Staff screens for contacts: the language queue, consent by phone, erase, deactivate."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from askfirst.consent.admin import consent_history_table, consent_states_table
from askfirst.consent.forms import StaffConsentForm
from askfirst.consent.models import ConsentEvent, ConsentState
from askfirst.consent.services import ConsentError, Proof, consent_record, contact_deactivate
from askfirst.contacts.admin_base import ViewOnlyAdmin
from askfirst.contacts.forms import ContactAdminForm
from askfirst.contacts.language import describe_reason
from askfirst.contacts.models import (
    PERSONAL_FIELDS,
    Contact,
    ErasureCount,
    ErasureReason,
    MailLanguage,
    RestrictionBasis,
    RestrictionReview,
    Status,
    Topic,
)
from askfirst.contacts.services import (
    LanguageChoiceError,
    contact_choose_language,
    contact_erase,
    contact_restriction_review,
)
from askfirst.lifecycle.reports import (
    campaign_counts,
    contact_bounce,
    contact_timeline,
    queue_overdue_since,
    restricted_count,
    step_label,
)
from askfirst.mail.models import OutboxState

QUEUE_QUERY = "status__exact=" + Status.QUEUED


RESTRICTED_QUERY = "status__exact=" + Status.RESTRICTED + "&review=needed"


def queue_url() -> str:
    return reverse("admin:contacts_contact_changelist") + "?" + QUEUE_QUERY


def restricted_url() -> str:
    return reverse("admin:contacts_contact_changelist") + "?" + RESTRICTED_QUERY


def contact_outbox_url(contact_id: int) -> str:
    """The outbox list showing only this contact's mails."""
    return f"{reverse('admin:mail_outbox_changelist')}?contact={contact_id}"


def outbox_state_url(state: str, *, since: Any = None) -> str:
    url = f"{reverse('admin:mail_outbox_changelist')}?state__exact={state}"
    if since is not None:
        field = "sent_at" if state == OutboxState.SENT else "finished_at"
        url += "&" + urlencode({f"{field}__gte": since.replace(microsecond=0).isoformat()})
    return url


class SuggestedLanguageFilter(admin.SimpleListFilter):
    title = _("suggested language")
    parameter_name = "suggested"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return (
            (MailLanguage.GERMAN.value, MailLanguage.GERMAN.label),
            (MailLanguage.ENGLISH.value, MailLanguage.ENGLISH.label),
            ("none", _("No suggestion")),
        )

    def queryset(self, request: HttpRequest, queryset: QuerySet[Contact]) -> Any:
        value = self.value()
        if value == "none":
            return queryset.filter(suggested_language="")
        if value in {MailLanguage.GERMAN, MailLanguage.ENGLISH}:
            return queryset.filter(suggested_language=value)
        return queryset


class ReviewFilter(admin.SimpleListFilter):
    """Restricted contacts still waiting for staff's decision on their legal basis."""

    title = _("review")
    parameter_name = "review"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return (("needed", _("needs review")), ("done", _("reviewed")))

    def queryset(self, request: HttpRequest, queryset: QuerySet[Contact]) -> Any:
        restricted = queryset.filter(status=Status.RESTRICTED)
        if self.value() == "needed":
            return restricted.filter(restriction_review__isnull=True)
        if self.value() == "done":
            return restricted.filter(restriction_review__isnull=False)
        return queryset


def _review_of(contact: Contact) -> RestrictionReview | None:
    try:
        return contact.restriction_review
    except RestrictionReview.DoesNotExist:
        return None


class QueueOverdueFilter(admin.SimpleListFilter):
    """Queued longer than ASKFIRST_QUEUE_WARN_AFTER: the admin index links here."""

    title = _("waiting for a language")
    parameter_name = "waiting"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return (("overdue", _("too long")),)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Contact]) -> Any:
        if self.value() == "overdue":
            return queryset.filter(status=Status.QUEUED, created_at__lt=queue_overdue_since())
        return queryset


def _skipped(count: int, why: object) -> str:
    return ngettext(
        "%(count)d contact skipped: %(why)s",
        "%(count)d contacts skipped: %(why)s",
        count,
    ) % {"count": count, "why": why}


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    form = ContactAdminForm
    list_display = (
        "email",
        "name",
        "company",
        "source",
        "kind",
        "status",
        "review",
        "suggestion",
        "mail_language",
        "created_at",
    )
    list_display_links = ("email", "name")
    list_filter = (
        "status",
        "source",
        "kind",
        SuggestedLanguageFilter,
        QueueOverdueFilter,
        ReviewFilter,
        "mail_language",
    )
    search_fields = ("email", "first_name", "last_name", "company")
    ordering = ("created_at",)
    list_per_page = 100
    filter_horizontal = ("topics",)
    actions = (
        "choose_german",
        "choose_english",
        "choose_bilingual",
        "accept_suggestion",
        "keep_under_contract",
        "keep_under_legitimate_interest",
        "deactivate",
    )
    change_form_template = "admin/contacts/contact/change_form.html"
    change_list_template = "admin/contacts/contact/change_list.html"
    delete_confirmation_template = "admin/contacts/contact/delete_confirmation.html"
    delete_selected_confirmation_template = (
        "admin/contacts/contact/delete_selected_confirmation.html"
    )

    person_fields = ("email", *PERSONAL_FIELDS)
    computed_fields = (
        "status",
        "suggestion",
        "mail_language",
        "language_chosen_by",
        "language_chosen_automatically",
        "language_chosen_at",
        "portal_language",
        "lifecycle_step",
        "asking_since",
        "next_action_at",
        "consent_states",
        "consent_history",
        "timeline",
        "extranet_visible",
        "email_key",
        "ledger_length",
        "ledger_head",
        "created_at",
        "updated_at",
    )

    # -- list columns and read-only displays ------------------------------------

    @admin.display(description=_("name"), ordering="last_name")
    def name(self, obj: Contact) -> str:
        return obj.full_name

    @admin.display(description=_("suggested language"), ordering="suggested_language")
    def suggestion(self, obj: Contact) -> str:
        if not obj.suggested_language:
            return "\u2014"
        label = obj.get_suggested_language_display()
        if obj.suggestion_reason:
            return f"{label} ({describe_reason(obj.suggestion_reason)})"
        return str(label)

    @admin.display(description=_("review"), ordering="status")
    def review(self, obj: Contact) -> str:
        """Restricted contacts (kept on another legal basis after expiry) need a look."""
        if obj.status != Status.RESTRICTED:
            return ""
        review = _review_of(obj)
        if review is not None:
            return str(review.get_basis_display())
        return format_html(
            '<strong class="askfirst-needs-review" title="{}">\u2691 {}</strong>',
            _("Kept under another legal basis after the request expired; check and decide."),
            _("needs review"),
        )

    @admin.display(description=_("mails and answers, oldest first"))
    def timeline(self, obj: Contact) -> SafeString:
        entries = contact_timeline(
            obj, outbox_url=lambda pk: reverse("admin:mail_outbox_change", args=[pk])
        )
        return render_to_string(
            "admin/contacts/contact/timeline.html",
            {
                "entries": entries,
                "outbox_url": contact_outbox_url(obj.pk),
                "step": step_label(obj.lifecycle_step),
            },
        )

    @admin.display(description=_("consent per purpose"))
    def consent_states(self, obj: Contact) -> str:
        return consent_states_table(obj)

    @admin.display(description=_("consent history"))
    def consent_history(self, obj: Contact) -> str:
        return consent_history_table(obj)

    @admin.display(description=_("visible in the extranet"))
    def extranet_visible(self, obj: Contact) -> str:
        shown = obj.extranet_shown()
        if not shown:
            if obj.extranet_fields:
                return str(_("nothing: sharing in the extranet is not granted"))
            return str(_("nothing (the default)"))
        return ", ".join(
            str(getattr(Contact._meta.get_field(name), "verbose_name", name)) for name in shown
        )

    # -- the change page -------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contact]:
        return (
            super().get_queryset(request).select_related("language_chosen_by", "restriction_review")
        )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return (
                (_("Person"), {"fields": self.person_fields}),
                (
                    _("Origin and kind"),
                    {"fields": ("kind", "source", "source_ref", "source_language", "topics")},
                ),
            )
        return (
            (_("Person"), {"fields": self.person_fields}),
            (
                _("Origin and kind"),
                {"fields": ("kind", "source", "source_ref", "source_language", "topics")},
            ),
            (
                _("Mail language"),
                {
                    "fields": (
                        "status",
                        "suggestion",
                        "mail_language",
                        "language_chosen_by",
                        "language_chosen_automatically",
                        "language_chosen_at",
                        "portal_language",
                        "lifecycle_step",
                        "asking_since",
                        "next_action_at",
                    )
                },
            ),
            (
                _("Timeline"),
                {"fields": ("timeline",)},
            ),
            (
                _("Consent"),
                {"fields": ("consent_states", "consent_history", "extranet_visible")},
            ),
            (
                _("Technical"),
                {
                    "classes": ("collapse",),
                    "fields": (
                        "email_key",
                        "ledger_length",
                        "ledger_head",
                        "created_at",
                        "updated_at",
                    ),
                },
            ),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        readonly = [*self.computed_fields, "source", "source_ref", "source_language"]
        if obj.status == Status.DEACTIVATED:
            # Only the address is kept, marked never to be contacted again.
            readonly += [*self.person_fields, "kind", "topics"]
        return readonly

    def get_urls(self) -> list[Any]:
        urls = super().get_urls()
        own = [
            path(
                "<path:object_id>/record-consent/",
                self.admin_site.admin_view(self.record_consent_view),
                name="contacts_contact_record_consent",
            ),
            path(
                "campaign/",
                self.admin_site.admin_view(self.campaign_view),
                name="contacts_contact_campaign",
            ),
        ]
        return own + urls

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        extra_context = {
            **(extra_context or {}),
            "queue_url": queue_url(),
            "queue_count": Contact.objects.filter(status=Status.QUEUED).count(),
            "campaign_url": reverse("admin:contacts_contact_campaign"),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: Any = None,
    ) -> Any:
        extra_context = {
            **(extra_context or {}),
            "record_consent_url": reverse(
                "admin:contacts_contact_record_consent", args=[object_id]
            ),
        }
        contact = self.get_object(request, unquote(object_id))
        if contact is not None:
            extra_context["bounce"] = contact_bounce(contact)
            extra_context["contact_outbox_url"] = contact_outbox_url(contact.pk)
            review = _review_of(contact) if contact.status == Status.RESTRICTED else None
            extra_context["needs_review"] = contact.status == Status.RESTRICTED and not review
            extra_context["restriction_review"] = review
        return super().change_view(request, object_id, form_url, extra_context)

    # -- the campaign dashboard --------------------------------------------------

    def campaign_view(self, request: HttpRequest) -> HttpResponse:
        """How the consent requests are going: counts, rates, failed mails, the funnel."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        campaign = campaign_counts()
        changelist = reverse("admin:contacts_contact_changelist")
        statuses = [
            (
                status.label,
                campaign.count(status.value),
                f"{changelist}?status__exact={status.value}",
            )
            for status in Status
        ]
        steps = [
            (step_label(step), n, f"{changelist}?status__exact=asking&lifecycle_step={step}")
            for step, n in sorted(campaign.asking_steps.items())
        ]
        mails = [
            (
                OutboxState(state).label,
                campaign.mails.get(state, 0),
                outbox_state_url(
                    state,
                    since=(
                        campaign.since
                        if state in (OutboxState.SENT, OutboxState.SUPPRESSED)
                        else None
                    ),
                ),
                state in (OutboxState.SENT, OutboxState.SUPPRESSED),
            )
            for state in OutboxState.values
        ]
        peak = max((day.answered for day in campaign.funnel), default=0)
        bar_width = 14
        chart_height = 120
        bars = [
            {
                "day": day.day,
                "answered": day.answered,
                "x": day.day * (bar_width + 2),
                "height": round(chart_height * day.answered / peak) if peak else 0,
            }
            for day in campaign.funnel
        ]
        for bar in bars:
            bar["y"] = chart_height - bar["height"]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Consent campaign"),
            "opts": self.opts,
            "has_view_permission": True,
            "campaign": campaign,
            "statuses": statuses,
            "steps": steps,
            "mails": mails,
            "restricted": restricted_count(),
            "restricted_url": restricted_url(),
            "failed": campaign.mails.get(OutboxState.FAILED, 0),
            "failed_url": outbox_state_url(OutboxState.FAILED),
            "queue_url": queue_url(),
            "erasures_url": reverse("admin:contacts_erasurecount_changelist"),
            "erasure_reasons": [
                (reason.label, campaign.erasures_by_reason[reason])
                for reason in ErasureReason
                if campaign.erasures_by_reason.get(reason)
            ],
            "bars": bars,
            "bar_width": bar_width,
            "chart_height": chart_height,
            "chart_width": len(bars) * (bar_width + 2),
        }
        return TemplateResponse(request, "admin/contacts/contact/campaign.html", context)

    # -- consent given another way ---------------------------------------------

    def record_consent_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        contact = self.get_object(request, unquote(object_id))
        if contact is None:
            return self._get_obj_does_not_exist_redirect(  # type: ignore[attr-defined]
                request, self.opts, object_id
            )
        if not self.has_change_permission(request, contact):
            raise PermissionDenied
        change_url = reverse("admin:contacts_contact_change", args=[contact.pk])
        if request.method == "POST":
            form = StaffConsentForm(request.POST)
            if form.is_valid():
                purpose = form.cleaned_data["purpose"]
                try:
                    consent_record(
                        contact=contact,
                        purpose_key=purpose.key,
                        granted=form.granted,
                        proof=Proof(
                            channel="staff",
                            staff_user=request.user,
                            evidence=form.cleaned_data["note"],
                            language=form.cleaned_data["language"],
                        ),
                    )
                except ConsentError as exc:
                    form.add_error(None, str(exc))
                else:
                    if form.granted:
                        message = _("Recorded: %(purpose)s granted.")
                    else:
                        message = _("Recorded: %(purpose)s withdrawn.")
                    self.message_user(
                        request,
                        message % {"purpose": purpose.name(request.LANGUAGE_CODE)},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(change_url)
        else:
            form = StaffConsentForm(
                initial={"language": (contact.mail_language or "de")[:2], "decision": "granted"}
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Record a consent given by phone or in person"),
            "subtitle": str(contact),
            "opts": self.opts,
            "original": contact,
            "contact": contact,
            "form": form,
            "change_url": change_url,
            "has_view_permission": True,
            "states": consent_states_table(contact),
        }
        return TemplateResponse(request, "admin/contacts/contact/record_consent.html", context)

    # -- the language queue ----------------------------------------------------

    def _choose(
        self,
        request: HttpRequest,
        queryset: QuerySet[Contact],
        language_for: Callable[[Contact], str],
        *,
        needs_suggestion: bool = False,
    ) -> None:
        chosen = not_queued = no_suggestion = 0
        for contact in queryset.order_by("pk"):
            if contact.status != Status.QUEUED:
                not_queued += 1
                continue
            language = language_for(contact)
            if not language:
                no_suggestion += 1
                continue
            try:
                contact_choose_language(contact=contact, language=language, user=request.user)
            except LanguageChoiceError:
                not_queued += 1
                continue
            chosen += 1
        if chosen:
            self.message_user(
                request,
                ngettext(
                    "Mail language chosen for %(count)d contact; its consent request starts.",
                    "Mail language chosen for %(count)d contacts; their consent requests start.",
                    chosen,
                )
                % {"count": chosen},
                messages.SUCCESS,
            )
        if not_queued:
            self.message_user(
                request, _skipped(not_queued, _("not waiting for a language")), messages.WARNING
            )
        if no_suggestion and needs_suggestion:
            self.message_user(
                request, _skipped(no_suggestion, _("no language suggestion")), messages.WARNING
            )

    @admin.action(description=_("Mail language: German"), permissions=["change"])
    def choose_german(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        self._choose(request, queryset, lambda contact: MailLanguage.GERMAN)

    @admin.action(description=_("Mail language: English"), permissions=["change"])
    def choose_english(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        self._choose(request, queryset, lambda contact: MailLanguage.ENGLISH)

    @admin.action(
        description=_("Mail language: bilingual (German and English)"), permissions=["change"]
    )
    def choose_bilingual(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        self._choose(request, queryset, lambda contact: MailLanguage.BILINGUAL)

    @admin.action(description=_("Mail language: accept the suggestion"), permissions=["change"])
    def accept_suggestion(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        self._choose(
            request, queryset, lambda contact: contact.suggested_language, needs_suggestion=True
        )

    @admin.action(
        description=_("Restricted, reviewed: keep under a contract"), permissions=["change"]
    )
    def keep_under_contract(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        self._review(request, queryset, RestrictionBasis.CONTRACT)

    @admin.action(
        description=_("Restricted, reviewed: keep under legitimate interest"),
        permissions=["change"],
    )
    def keep_under_legitimate_interest(
        self, request: HttpRequest, queryset: QuerySet[Contact]
    ) -> None:
        self._review(request, queryset, RestrictionBasis.LEGITIMATE_INTEREST)

    def _review(self, request: HttpRequest, queryset: QuerySet[Contact], basis: str) -> None:
        done = skipped = 0
        for contact in queryset.order_by("pk"):
            if contact_restriction_review(contact=contact, basis=basis, user=request.user):
                done += 1
            else:
                skipped += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d restricted contact reviewed: kept under %(basis)s.",
                    "%(count)d restricted contacts reviewed: kept under %(basis)s.",
                    done,
                )
                % {"count": done, "basis": RestrictionBasis(basis).label},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(request, _skipped(skipped, _("not restricted")), messages.WARNING)

    @admin.action(description=_("Deactivate (do not contact)"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Contact]) -> Any:
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Deactivate contacts?"),
                "opts": self.opts,
                "queryset": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/contacts/contact/deactivate_confirmation.html", context
            )
        done = skipped = 0
        for contact in queryset.order_by("pk"):
            if contact.status == Status.DEACTIVATED:
                skipped += 1
                continue
            contact_deactivate(
                contact=contact,
                proof=Proof(
                    channel="staff", staff_user=request.user, evidence="Deactivated by staff"
                ),
            )
            done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d contact deactivated: only the address is kept, never contacted.",
                    "%(count)d contacts deactivated: only the addresses are kept, never contacted.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request, _skipped(skipped, _("deactivated already")), messages.WARNING
            )
        return None

    # -- deleting is erasing ---------------------------------------------------

    def get_actions(self, request: HttpRequest) -> Any:
        actions: dict[str, Any] = dict(super().get_actions(request))
        if "delete_selected" in actions:
            function, name, _description = actions["delete_selected"]
            actions["delete_selected"] = (
                function,
                name,
                _("Erase selected contacts (forget them completely)"),
            )
        return actions

    def delete_model(self, request: HttpRequest, obj: Contact) -> None:
        contact_erase(contact=obj, reason=ErasureReason.STAFF)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        for contact in list(queryset):
            contact_erase(contact=contact, reason=ErasureReason.STAFF)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        """Log who erased how many, but nothing about whom (no name, no address, no id)."""
        content_type = ContentType.objects.get_for_model(Contact)
        user_id = request.user.pk
        assert user_id is not None
        return [
            LogEntry.objects.create(
                user_id=user_id,
                content_type=content_type,
                object_id=None,
                object_repr="erased contact",
                action_flag=DELETION,
                change_message="",
            )
            for _contact in queryset
        ]

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # The ledger is never deleted on its own, but it goes with the person.
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed -= {ConsentEvent._meta.verbose_name, ConsentState._meta.verbose_name}
        return to_delete, model_count, perms_needed, protected

    def response_delete(self, request: HttpRequest, obj_display: str, obj_id: Any) -> Any:
        if IS_POPUP_VAR in request.POST:
            return super().response_delete(request, obj_display, obj_id)
        self.message_user(
            request,
            _("The contact was erased. Only the number of erasures per day remains."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:contacts_contact_changelist"))


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("key", "label_de", "label_en")
    search_fields = ("key", "label_de", "label_en")


@admin.register(ErasureCount)
class ErasureCountAdmin(ViewOnlyAdmin):
    """The only trace of erased people: a number per day."""

    list_display = ("date", "reason", "erasures")
    list_filter = ("reason",)
    fields = ("date", "reason", "erasures")
    readonly_fields = fields
    date_hierarchy = "day"

    @admin.display(description=_("day"), ordering="day")
    def date(self, obj: ErasureCount) -> Any:
        return obj.day

    @admin.display(description=_("erasures"), ordering="count")
    def erasures(self, obj: ErasureCount) -> int:
        return obj.count
