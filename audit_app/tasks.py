"""Celery tasks: each takes an id, calls a service, and owns its retries."""

from __future__ import annotations

import datetime
import smtplib

from celery import shared_task

from audit_app import case_import, retention, rounds, services

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


@shared_task(name="rounds.check_case_import")
def check_case_import(case_import_id: int) -> None:
    case_import.case_import_check(case_import_id=case_import_id)


@shared_task(name="rounds.save_case_import")
def save_case_import(case_import_id: int) -> None:
    case_import.case_import_save(case_import_id=case_import_id)


@shared_task(name="rounds.flag_overdue_audits")
def flag_overdue_audits() -> int:
    return rounds.overdue_audits_flag()


@shared_task(name="retention.report")
def report_retention() -> int:
    """Email force-wide audit managers what is past retention. Erasing is left to a person."""
    report = retention.retention_report()
    total = sum(report.counts.values())
    if total:
        retention.retention_notify(report)
    return total


@shared_task(name="notifications.resend_pending")
def resend_pending_notifications() -> int:
    """Queue again any email whose task never ran (the broker was down when it was owed)."""
    pending = services.notifications_overdue(datetime.timedelta(minutes=10))
    for notification_id in pending:
        send_notification.delay(notification_id)
    return len(pending)
