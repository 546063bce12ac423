"""Staff connect systems (endpoints) and watch what was sent to them (deliveries)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from askfirst.contacts.admin_base import ViewOnlyAdmin
from askfirst.hooks.models import Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "on_consent_changed", "on_contact_erased", "active"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    actions = ["deactivate_selected"]
    fields = ["name", "url", "on_consent_changed", "on_contact_erased", "active"]

    def get_fields(self, request: HttpRequest, obj: Endpoint | None = None) -> Any:
        # The secret exists once saved; the receiver needs it to check signatures.
        return self.fields if obj is None else [*self.fields, "secret", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Endpoint | None = None) -> Any:
        return () if obj is None else ("secret", "created_at")

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
