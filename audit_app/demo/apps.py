from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "audit_app.demo"
    label = "demo"
    verbose_name = "Demo data"
