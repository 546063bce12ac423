from django.contrib import admin

from askfirst.lifecycle.models import LinkToken


@admin.register(LinkToken)
class LinkTokenAdmin(admin.ModelAdmin):
    """Read-only: only hashes are stored, so nothing here opens a link."""

    list_display = [
        "contact",
        "purpose",
        "language",
        "mail",
        "text_version",
        "created_at",
        "expires_at",
        "used_at",
    ]
    list_filter = ["purpose", "used_at"]
    readonly_fields = [
        "contact",
        "purpose",
        "language",
        "mail",
        "text_version",
        "created_at",
        "expires_at",
        "used_at",
    ]
    exclude = ["token_hash"]
    raw_id_fields = ["contact"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
