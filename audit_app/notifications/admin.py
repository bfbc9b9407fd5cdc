"""Admin pages for every model. A published question set is shown read-only."""

from django.contrib import admin

from audit_app.notifications import models


@admin.register(models.Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "subject", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["state"]
