"""A worker killed in the middle of a report: the task runs again, on another worker, to
completion, once. Real processes: two `celery worker`s over Redis, on the test's PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from audit_app.audits.models import Grade
from audit_app.celery import queue_names
from audit_app.models import Area
from audit_app.reports.models import PvpReportVersion, ReportState
from tests.builders import MONTH, Planned, build_month, people_for, request_report
from tests.conftest import missing_service

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_SECONDS = 6


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgresql://{db['USER'] or 'postgres'}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def _start_worker(name: str, media: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS),
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        "CELERY_TASK_SOFT_TIME_LIMIT": "3",
        "CELERY_TASK_TIME_LIMIT": "5",
        "MEDIA_ROOT": str(media),
        "SECRET_KEY": "worker-kill-test-only-secret-key-not-used-anywhere-else-at-all",
        "DEBUG": "0",
        "LOG_LEVEL": "INFO",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "audit_app",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            name,
            "-Q",
            ",".join(queue_names()),
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_killed_worker_leaves_the_report_to_run_again_once(tmp_path):
    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL:
        missing_service("the worker test needs PostgreSQL and a Redis broker")
    from django.core.management import call_command

    from audit_app.celery import app

    call_command("load_reference_data", verbosity=0)
    area = Area.objects.get(code="west")
    build_month(area=area, month=MONTH, people=people_for(area),
                plan=[Planned("DA", original=Grade.GOOD)])  # fmt: skip
    app.control.purge()
    media = tmp_path / "media"

    # Hold the version's row, so the first worker stops inside the task, message unacknowledged.
    first = _start_worker("first@%h", media)
    blocker = psycopg.connect(_database_url())
    try:
        app.conf.task_always_eager = False
        outcome = request_report(area)
        version_id = outcome.version.pk
        blocker.execute(
            "SELECT id FROM reports_pvpreportversion WHERE id = %s FOR UPDATE", [version_id]
        )
        # Watched from another connection: a transaction sees one snapshot of the statistics.
        watcher = psycopg.connect(_database_url(), autocommit=True)
        waiting = _wait(
            lambda: (
                watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE %s",
                    ["%reports_pvpreportversion%"],
                ).fetchone()[0]
                > 0
            ),
            60,
        )
        watcher.close()
        if not waiting:
            first.kill()
            log = first.communicate()[0][-3000:]
            pytest.fail(f"the first worker never reached the report:\n{log}")
        first.send_signal(signal.SIGKILL)  # no warm shutdown: the message is not given back
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
        blocker.rollback()
        blocker.close()
    # The killed worker's claim may still land (PostgreSQL notices a dead client only when it next
    # writes to it): the version is then "compiling", and the task, delivered again, takes it back.
    assert PvpReportVersion.objects.get(pk=version_id).state != ReportState.READY

    second = _start_worker("second@%h", media)
    try:
        finished = _wait(
            lambda: (
                PvpReportVersion.objects.get(pk=version_id).state
                in (ReportState.READY, ReportState.FAILED)
            ),
            VISIBILITY_SECONDS + 60,
        )
    finally:
        second.terminate()
        output = second.communicate(timeout=20)[0]
    version = PvpReportVersion.objects.get(pk=version_id)
    assert finished and version.state == ReportState.READY, (version.failure_reason, output[-2000:])
    assert version.attempts in (1, 2), "the killed attempt and the one that finished, no more"
    assert PvpReportVersion.objects.filter(report=version.report).count() == 1
    assert output.count(f"{outcome.version.celery_task_id}] succeeded") == 1
