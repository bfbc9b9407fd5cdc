"""Celery tasks: each takes an id, calls a service, and owns its retries."""

from __future__ import annotations

from celery import shared_task

from audit_app.directory import services


@shared_task(name="directory.apply_staff_import")
def apply_staff_import(staff_import_id: int) -> None:
    services.staff_import_apply(staff_import_id=staff_import_id)
