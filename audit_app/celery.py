"""The Celery application, configured from Django settings (CELERY_ namespace)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "audit_app.settings")

app = Celery("audit_app")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def queue_names() -> list[str]:
    """The queues tasks are routed to (settings.CELERY_TASK_QUEUES): a worker consumes each."""
    return list(app.conf.task_queues)
