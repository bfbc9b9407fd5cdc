from django.apps import AppConfig


class AccessLogConfig(AppConfig):
    name = "audit_app.access_log"
    label = "access_log"
    verbose_name = "Access log"
