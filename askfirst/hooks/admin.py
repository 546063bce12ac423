"""Staff connect systems (endpoints) and watch what was sent to them (deliveries)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from askfirst.contacts.admin_base import ViewOnlyAdmin
from askfirst.hooks.models import Delivery, Endpoint
from askfirst.hooks.services import (
    RotationRefused,
    deliveries_retry,
    endpoint_end_overlap,
    endpoint_rotate_secret,
)


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "on_consent_changed", "on_contact_erased", "active"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    actions = ["deactivate_selected", "rotate_secret", "end_overlap"]
    fields = ["name", "url", "on_consent_changed", "on_contact_erased", "active"]
    shown_once_saved = ("secret", "previous_secret_in_use_until", "created_at")

    def get_fields(self, request: HttpRequest, obj: Endpoint | None = None) -> Any:
        # The secret exists once saved; the receiver needs it to check signatures.
        return self.fields if obj is None else [*self.fields, *self.shown_once_saved]

    def get_readonly_fields(self, request: HttpRequest, obj: Endpoint | None = None) -> Any:
        return () if obj is None else self.shown_once_saved

    @admin.display(description=_("previous secret still signs until"))
    def previous_secret_in_use_until(self, obj: Endpoint) -> str:
        # Only the date: the old secret itself is the receiver's to keep.
        if not obj.previous_secret_in_use(at=timezone.now()):
            return "\u2014"
        return self._until(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Endpoint | None = None) -> bool:
        # Deliveries name their endpoint: deactivate instead.
        return False

    def response_add(
        self, request: HttpRequest, obj: Endpoint, post_url_continue: str | None = None
    ) -> HttpResponse:
        # Straight to the page that shows the new secret.
        messages.info(request, _("Give the receiving system the signing secret shown below."))
        return HttpResponseRedirect(reverse("admin:hooks_endpoint_change", args=[obj.pk]))

    @admin.action(description=_("Deactivate selected endpoints"), permissions=["change"])
    def deactivate_selected(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        count = queryset.filter(active=True).update(active=False)
        self.message_user(
            request,
            ngettext(
                "%(count)d endpoint deactivated; nothing new is queued for it.",
                "%(count)d endpoints deactivated; nothing new is queued for them.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Rotate signing secret"), permissions=["change"])
    def rotate_secret(
        self, request: HttpRequest, queryset: QuerySet[Endpoint]
    ) -> HttpResponse | None:
        rotated = []
        for endpoint in queryset:
            try:
                rotated.append(endpoint_rotate_secret(endpoint=endpoint))
            except RotationRefused:
                self.message_user(
                    request,
                    _(
                        "%(name)s: the previous secret still signs until %(until)s; "
                        "rotate again after that."
                    )
                    % {"name": endpoint.name, "until": self._until(endpoint)},
                    messages.WARNING,
                )
        for endpoint in rotated:
            # The secret stays on the endpoint's page, never in a message
            # (messages travel in the session or a cookie).
            self.message_user(
                request,
                _(
                    "%(name)s: new signing secret; the previous one also signs until "
                    "%(until)s. Give the receiving system the new secret from its page."
                )
                % {"name": endpoint.name, "until": self._until(endpoint)},
                messages.SUCCESS,
            )
        if len(rotated) == 1:
            # Straight to the page that shows the new secret.
            return HttpResponseRedirect(
                reverse("admin:hooks_endpoint_change", args=[rotated[0].pk])
            )
        return None

    @admin.action(
        description=_("Stop signing with the previous secret now (after a leak)"),
        permissions=["change"],
    )
    def end_overlap(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        for endpoint in queryset:
            if endpoint_end_overlap(endpoint=endpoint):
                self.message_user(
                    request,
                    _("%(name)s: the previous secret no longer signs; only the current one does.")
                    % {"name": endpoint.name},
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    _("%(name)s: no previous secret was signing.") % {"name": endpoint.name},
                    messages.INFO,
                )

    @staticmethod
    def _until(endpoint: Endpoint) -> str:
        assert endpoint.previous_secret_until is not None
        return formats.date_format(
            timezone.localtime(endpoint.previous_secret_until), "DATETIME_FORMAT"
        )


@admin.register(Delivery)
class DeliveryAdmin(ViewOnlyAdmin):
    list_display = [
        "id",
        "endpoint",
        "event",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "created_at",
    ]
    list_filter = ["state", "event", "endpoint"]
    # The body names a person: staff read the metadata, receivers the body.
    exclude = ["body"]
    list_select_related = ["endpoint"]
    show_full_result_count = False
    actions = ["retry_now"]

    def has_resend_permission(self, request: HttpRequest) -> bool:
        # Deliveries are read-only records; whoever may change the endpoints
        # may have their webhooks posted again.
        return request.user.has_perm("hooks.change_endpoint")

    @admin.action(description=_("Send again now"), permissions=["resend"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        result = deliveries_retry(ids=ids)
        self.message_user(
            request,
            ngettext(
                "%(count)d webhook queued again.", "%(count)d webhooks queued again.", result.queued
            )
            % {"count": result.queued},
            messages.SUCCESS if result.queued else messages.WARNING,
        )
        if result.purged:
            self.message_user(
                request,
                ngettext(
                    "%(count)d failed webhook cannot be sent again: its body was already "
                    "removed (retention or erasure).",
                    "%(count)d failed webhooks cannot be sent again: their body was already "
                    "removed (retention or erasure).",
                    result.purged,
                )
                % {"count": result.purged},
                messages.WARNING,
            )
        if result.inactive:
            self.message_user(
                request,
                ngettext(
                    "%(count)d failed webhook not sent again: its endpoint is deactivated.",
                    "%(count)d failed webhooks not sent again: their endpoint is deactivated.",
                    result.inactive,
                )
                % {"count": result.inactive},
                messages.WARNING,
            )
        if result.skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d webhook left as it is: only failed ones are sent again.",
                    "%(count)d webhooks left as they are: only failed ones are sent again.",
                    result.skipped,
                )
                % {"count": result.skipped},
                messages.INFO,
            )
