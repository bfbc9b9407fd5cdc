"""Queueing a Celery task by its stable name, so that no service imports a tasks module.

Tasks import the services they run; a service that owes work to a task names it (the `name=` of
its `@shared_task`, the same name beat and the queue routes use) instead of importing it, which
keeps the arrows one way (tasks -> services) with no import circle. Every app's tasks module is
registered when Django starts (AuditAppConfig.ready), so a name always resolves, in a web process
running tasks in-process as in a worker.
"""

from __future__ import annotations

from celery import Task
from django.db import transaction

from audit_app.celery import app


def task_named(name: str) -> Task:
    return app.tasks[name]


def enqueue_on_commit(name: str, *args: object, robust: bool = False) -> None:
    """Queue the task `name` with `args` once the current transaction commits (at once outside
    one). With `robust`, a broker that cannot be reached is logged by Django, not raised: the
    change that owed the task still stands."""
    transaction.on_commit(lambda: task_named(name).delay(*args), robust=robust)
