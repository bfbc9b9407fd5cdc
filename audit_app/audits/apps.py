from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audit_app.audits"
    label = "audits"
    verbose_name = "Audits"
