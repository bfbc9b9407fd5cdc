"""Celery tasks: each takes an id, calls a service, and owns its retries."""

from __future__ import annotations

from celery import shared_task

from audit_app.retention import services as retention


@shared_task(name="retention.report")
def report_retention() -> int:
    """Email force-wide audit managers what is past retention. Erasing is left to a person."""
    report = retention.retention_report()
    total = sum(report.counts.values())
    if total:
        retention.retention_notify(report)
    return total
