"""Celery tasks: each takes an id (or nothing), calls a service, and owns its retries."""

from __future__ import annotations

from celery import shared_task

from audit_app.feedback import services


@shared_task(name="feedback.send_reminders")
def send_feedback_reminders() -> int:
    """Remind officers and supervisors of feedback they have not acknowledged."""
    return len(services.feedback_remind_unacknowledged())
