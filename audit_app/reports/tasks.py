"""Celery tasks for PVP reports: each takes an id, calls a service, and owns its retries.

`compile_report` is safe to run twice: it claims its version with a conditional update, so a repeat
(or a second delivery) of a finished task does nothing. Temporary failures (the database or the file
store briefly unreachable) are retried with exponential backoff; anything else marks the version
failed with a reason fit to show, and the report's previous ready version stays downloadable.
"""

from __future__ import annotations

import logging
import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError

from audit_app.reports import services

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
)
try:  # the S3 store's network errors, when django-storages[s3] is in use
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import ReadTimeoutError as BotoReadTimeoutError

    TRANSIENT_ERRORS += (BotoConnectionError, BotoReadTimeoutError)
except ImportError:  # pragma: no cover - botocore is installed with django-storages[s3]
    pass

MAX_RETRIES = 5
RETRY_BACKOFF_SECONDS = 10
RETRY_BACKOFF_MAX_SECONDS = 300


def retry_countdown(retries: int) -> float:
    """10 s, 20 s, 40 s... up to five minutes, with jitter so retries do not arrive together."""
    base = min(RETRY_BACKOFF_SECONDS * 2**retries, RETRY_BACKOFF_MAX_SECONDS)
    return base / 2 + random.uniform(0, base / 2)  # noqa: S311 - jitter, not security


@shared_task(
    name="reports.compile_report",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    max_retries=MAX_RETRIES,
)
def compile_report(self, version_id: int) -> str:
    try:
        return services.report_version_build(version_id=version_id, task_id=self.request.id or "")
    except TRANSIENT_ERRORS as exc:
        retries = self.request.retries
        if retries >= MAX_RETRIES:
            logger.error(
                "report version %s: %s after %s retries", version_id, type(exc).__name__, retries
            )
            services.report_version_fail(
                version_id=version_id,
                reason=f"The database or file store stayed unavailable after {retries + 1} "
                "attempts. Try again later.",
            )
            return "failed"
        logger.warning(
            "report version %s: %s, retry %s", version_id, type(exc).__name__, retries + 1
        )
        services.report_version_retrying(version_id=version_id)
        if self.request.is_eager:
            # In-process there is no queue to come back through (and Celery's eager retry
            # re-raises): try again here, at once.
            return self.apply(
                args=[version_id], task_id=self.request.id, retries=retries + 1, throw=False
            ).result
        raise self.retry(exc=exc, countdown=retry_countdown(retries)) from exc
    except SoftTimeLimitExceeded:
        logger.error("report version %s: soft time limit reached", version_id)
        services.report_version_fail(
            version_id=version_id,
            reason=f"Compiling took longer than the {settings.CELERY_TASK_SOFT_TIME_LIMIT} "
            "seconds allowed.",
        )
        return "failed"
    except Exception as exc:
        # The traceback goes to the log under the version's id; the reason shown names no data.
        logger.exception("report version %s failed", version_id)
        services.report_version_fail(
            version_id=version_id,
            reason=f"An unexpected error ({type(exc).__name__}) stopped the report. "
            f"Support can find it in the log under report version {version_id}.",
        )
        return "failed"


@shared_task(name="reports.schedule_monthly", acks_late=True)
def schedule_monthly_reports() -> int:
    """Celery beat, monthly: every area's report and the force's for the month just ended."""
    requests = services.monthly_reports_request()
    logger.info("monthly PVP reports requested: %s", len(requests))
    return len(requests)
