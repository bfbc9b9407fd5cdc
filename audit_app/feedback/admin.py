from django.contrib import admin

from audit_app.feedback import models


@admin.register(models.Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["audit", "recipient_role", "recipient", "state", "sent_at", "acknowledged_on"]
    list_filter = ["state", "recipient_role"]
    raw_id_fields = ["audit", "recipient"]
