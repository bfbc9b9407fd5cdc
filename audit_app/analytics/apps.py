from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "audit_app.analytics"
    label = "analytics"
    verbose_name = "Analytics"
