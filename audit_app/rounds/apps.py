from django.apps import AppConfig


class RoundsConfig(AppConfig):
    name = "audit_app.rounds"
    label = "rounds"
    verbose_name = "Rounds"
