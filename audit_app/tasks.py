"""Celery tasks: each takes an id, calls a service, and owns its retries."""

from __future__ import annotations

import smtplib

from celery import shared_task

from audit_app import services

TRANSIENT_EMAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(
    autoretry_for=TRANSIENT_EMAIL_ERRORS,
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=8,
)
def send_notification(notification_id: int) -> bool:
    return services.notification_send(notification_id=notification_id)
