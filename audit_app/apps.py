from django.apps import AppConfig


class AuditAppConfig(AppConfig):
    name = "audit_app"
    verbose_name = "Case audit"

    def ready(self) -> None:
        from audit_app import checks  # noqa: F401 - registers the deployment checks
        from audit_app.celery import app as celery_app

        # Register every app's tasks, so that services can queue them by name (audit_app.queueing).
        celery_app.autodiscover_tasks(force=True)
