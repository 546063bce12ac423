"""Staff issue and revoke API keys. A raw key is shown once, right after it
is created; afterwards askfirst holds only its hash."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from askfirst.api.models import ApiKey

# Where save_model leaves the raw key for response_add within one request;
# never in the session or a message cookie, so it is not stored anywhere.
_RAW_KEY_ATTR = "_askfirst_new_api_key"

SHOWN_FIELDS = ("name", "prefix", "created_at", "created_by", "last_used_at", "revoked_at")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "key_start", "created_at", "created_by", "last_used_at", "is_active")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix")
    ordering = ("-created_at",)
    actions = ["revoke_selected"]

    @admin.display(description=_("key starts with"), ordering="prefix")
    def key_start(self, obj: ApiKey) -> str:
        return f"{obj.prefix}…"

    @admin.display(description=_("active"), boolean=True, ordering="revoked_at")
    def is_active(self, obj: ApiKey) -> bool:
        return obj.is_active

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        return ("name",) if obj is None else SHOWN_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        return () if obj is None else SHOWN_FIELDS

    def has_change_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        # A key is fixed once issued: a new name or secret is a new key.
        # Without an object this is the changelist, where the action lives.
        if obj is not None:
            return False
        return super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        # Revoked keys stay listed: they tell staff which system wrote what.
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return super().has_change_permission(request)

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
            setattr(request, _RAW_KEY_ATTR, obj.assign_secret())
        super().save_model(request, obj, form, change)

    def response_add(
        self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None
    ) -> HttpResponse:
        raw = getattr(request, _RAW_KEY_ATTR, None)
        if raw is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("New API key"),
            "key": obj,
            "raw": raw,
        }
        response = TemplateResponse(request, "admin/api/apikey/issued.html", context)
        # The page holds a secret: no browser or proxy may keep a copy.
        add_never_cache_headers(response)
        return response

    @admin.action(description=_("Revoke selected keys"), permissions=["revoke"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        count = ApiKey.revoke_many(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d key revoked; requests with it are refused from now on.",
                "%(count)d keys revoked; requests with them are refused from now on.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
