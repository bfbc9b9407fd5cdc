from django.contrib import admin

from audit_app.directory import models


@admin.register(models.StaffImport)
class StaffImportAdmin(admin.ModelAdmin):
    list_display = ["pk", "force", "file_name", "state", "uploaded_by", "uploaded_at"]
    list_filter = ["state"]
    raw_id_fields = ["uploaded_by", "applied_by"]


@admin.register(models.StaffImportRow)
class StaffImportRowAdmin(admin.ModelAdmin):
    list_display = ["staff_import", "row_number", "identifier", "outcome"]
    list_filter = ["outcome"]
    raw_id_fields = ["staff_import", "staff_member"]
