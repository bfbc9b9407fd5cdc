from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "audit_app.retention"
    label = "retention"
    verbose_name = "Retention"
