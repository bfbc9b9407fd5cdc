from django.apps import AppConfig


class AuditAppConfig(AppConfig):
    name = "audit_app"
    verbose_name = "Case audit"

    def ready(self) -> None:
        # Connects the sign-in signal that starts each session's ten-hour clock.
        from audit_app import middleware  # noqa: F401
