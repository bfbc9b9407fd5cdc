"""Celery tasks: each takes an id, calls a service, and owns its retries."""

from __future__ import annotations

import datetime
import smtplib

from celery import shared_task

from audit_app.notifications import services

TRANSIENT_EMAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(
    name="notifications.send",
    autoretry_for=TRANSIENT_EMAIL_ERRORS,
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=8,
)
def send_notification(notification_id: int) -> bool:
    return services.notification_send(notification_id=notification_id)


@shared_task(name="notifications.resend_pending")
def resend_pending_notifications() -> int:
    """Queue again any email whose task never ran (the broker was down when it was owed)."""
    pending = services.notifications_overdue(datetime.timedelta(minutes=10))
    for notification_id in pending:
        send_notification.delay(notification_id)
    return len(pending)
