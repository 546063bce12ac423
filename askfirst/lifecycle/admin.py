from django.contrib import admin

from askfirst.lifecycle.models import LinkToken

# Shown in the list and on the page alike; the token itself is only a hash.
FIELDS = (
    "contact",
    "purpose",
    "language",
    "mail",
    "text_version",
    "created_at",
    "expires_at",
    "used_at",
)


@admin.register(LinkToken)
class LinkTokenAdmin(admin.ModelAdmin):
    """Read-only: only hashes are stored, so nothing here opens a link."""

    list_display = FIELDS
    list_filter = ["purpose", "used_at"]
    readonly_fields = FIELDS
    exclude = ["token_hash"]
    raw_id_fields = ["contact"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
