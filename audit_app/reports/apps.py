from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "audit_app.reports"
    label = "reports"
    verbose_name = "PVP meeting reports"
