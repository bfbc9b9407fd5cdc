from django.contrib import admin

from audit_app.reports.models import (
    DownloadLog,
    KeyMessages,
    MeetingAction,
    PvpReport,
    PvpReportVersion,
)


class VersionInline(admin.TabularInline):
    model = PvpReportVersion
    fields = ["number", "state", "failure_reason", "requested_at", "finished_at", "size"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(PvpReport)
class PvpReportAdmin(admin.ModelAdmin):
    list_display = ["month", "force", "area", "last_version", "current"]
    list_filter = ["force", "area"]
    readonly_fields = ["force", "area", "month", "last_version", "current", "created_at"]
    inlines = [VersionInline]


@admin.register(PvpReportVersion)
class PvpReportVersionAdmin(admin.ModelAdmin):
    list_display = ["report", "number", "state", "requested_at", "finished_at", "size"]
    list_filter = ["state"]
    # The audit trail of a report: read only here; versions are made by the task.
    readonly_fields = [f.name for f in PvpReportVersion._meta.fields if f.name != "content"]
    exclude = ["content"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(DownloadLog)
class DownloadLogAdmin(admin.ModelAdmin):
    list_display = ["version", "user", "at"]
    readonly_fields = ["version", "user", "at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MeetingAction)
class MeetingActionAdmin(admin.ModelAdmin):
    list_display = ["meeting_month", "force", "area", "action_type", "owner", "due_on", "state"]
    list_filter = ["state", "action_type", "area"]
    raw_id_fields = ["recommendation", "created_by", "updated_by"]
    filter_horizontal = ["themes"]


@admin.register(KeyMessages)
class KeyMessagesAdmin(admin.ModelAdmin):
    list_display = ["month", "force", "area", "written_by", "updated_at"]
    list_filter = ["force", "area"]
    raw_id_fields = ["written_by"]
