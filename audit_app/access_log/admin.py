"""Admin pages for every model. A published question set is shown read-only."""

from django.contrib import admin

from audit_app.access_log import models


@admin.register(models.AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    """Read-only: the access log is append-only, even for superusers."""

    list_display = ["at", "user", "action", "record_type", "record_id", "method", "path", "status"]
    list_filter = ["action", "record_type"]
    search_fields = ["user__username", "record_id", "path"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
