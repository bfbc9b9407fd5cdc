"""Compiling reports with Celery: idempotent, joins a version in flight, retries what is
temporary, fails with a reason while the last good version stays, runs on a real worker."""

from __future__ import annotations

import datetime
import time
from unittest import mock

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from audit_app.audits.models import Grade
from audit_app.models import Area
from audit_app.reports import services, tasks
from audit_app.reports.models import PvpReport, PvpReportVersion, ReportState
from tests.builders import MONTH, Planned, build_month, people_for, request_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def west(reference_data):
    area = Area.objects.get(code="west")
    build_month(
        area=area,
        month=MONTH,
        people=people_for(area),
        plan=[Planned("DA", original=Grade.GOOD), Planned("CSE", original=Grade.INADEQUATE)],
    )
    return area


def test_running_the_task_twice_makes_one_ready_version(west, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = request_report(west)
    version = PvpReportVersion.objects.get(pk=outcome.version.pk)
    assert version.state == ReportState.READY
    first_file, first_hash = version.file.name, version.sha256

    assert tasks.compile_report.apply(args=[version.pk]).get() == ReportState.READY
    version.refresh_from_db()
    assert (version.file.name, version.sha256, version.attempts) == (first_file, first_hash, 1)
    report = PvpReport.objects.get()
    assert report.current_id == version.pk
    assert report.versions.count() == 1


def test_a_new_request_makes_a_new_current_version_and_keeps_the_earlier_one(
    west, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = request_report(west).version
    with django_capture_on_commit_callbacks(execute=True):
        second = request_report(west).version
    report = PvpReport.objects.get()
    assert [v.number for v in report.versions.order_by("number")] == [1, 2]
    assert set(report.versions.values_list("state", flat=True)) == {ReportState.READY}
    assert report.current_id == second.pk
    assert PvpReportVersion.objects.get(pk=first.pk).file.storage.exists(
        PvpReportVersion.objects.get(pk=first.pk).file.name
    )


def test_a_request_while_one_is_in_flight_joins_it(west):
    with mock.patch.object(tasks.compile_report, "apply_async") as queue:
        first = request_report(west)
        second = request_report(west)
    assert not first.joined and second.joined
    assert second.version.pk == first.version.pk
    assert PvpReportVersion.objects.count() == 1
    assert queue.call_count == 0  # on commit only: the test transaction never commits


def test_the_database_refuses_a_second_version_in_flight(west):
    report = PvpReport.objects.create(force=west.force, area=west, month=MONTH)
    PvpReportVersion.objects.create(report=report, number=1, state=ReportState.COMPILING)
    with pytest.raises(IntegrityError), transaction.atomic():
        PvpReportVersion.objects.create(report=report, number=2, state=ReportState.QUEUED)
    force_report = PvpReport.objects.create(force=west.force, area=None, month=MONTH)
    PvpReportVersion.objects.create(report=force_report, number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PvpReportVersion.objects.create(report=force_report, number=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        PvpReport.objects.create(force=west.force, area=None, month=MONTH)


@pytest.mark.parametrize(
    ("state", "field", "age"),
    [
        # The queue lost the message: nothing ran it within twice the visibility timeout.
        (ReportState.QUEUED, "requested_at", lambda: services.stale_after()),
        # Its worker was killed at the hard time limit, before it could record anything.
        (ReportState.COMPILING, "started_at", lambda: services.running_too_long()),
    ],
)
def test_a_version_lost_in_flight_is_replaced_not_joined(west, state, field, age):
    with mock.patch.object(tasks.compile_report, "apply_async"):
        lost = request_report(west).version
        recent = timezone.now() - age() + datetime.timedelta(minutes=1)
        PvpReportVersion.objects.filter(pk=lost.pk).update(state=state, **{field: recent})
        assert request_report(west).joined  # not yet lost: joined
        old = timezone.now() - age() - datetime.timedelta(minutes=1)
        PvpReportVersion.objects.filter(pk=lost.pk).update(**{field: old})
        fresh = request_report(west)
    assert not fresh.joined and fresh.version.number == 2
    lost.refresh_from_db()
    assert lost.state == ReportState.FAILED
    assert "did not finish in time" in lost.failure_reason


def test_a_failure_keeps_the_previous_version_downloadable_and_says_why(
    west, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        good = request_report(west).version
    with (
        mock.patch(
            "audit_app.reports.services.render_report_pdf", side_effect=ValueError("bad SVG")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        bad = request_report(west).version
    bad.refresh_from_db()
    assert bad.state == ReportState.FAILED
    assert "ValueError" in bad.failure_reason
    assert f"report version {bad.pk}" in bad.failure_reason
    assert "bad SVG" not in bad.failure_reason  # the message may hold data: the log has it
    report = PvpReport.objects.get()
    assert report.current_id == good.pk
    assert PvpReportVersion.objects.get(pk=good.pk).state == ReportState.READY


def flaky_content(failures: int):
    """report_content that fails `failures` times as a dropped connection would, then works."""
    calls = []
    real = services.report_content

    def content(**kwargs):
        calls.append(1)
        if len(calls) <= failures:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    return content


def test_a_temporary_database_error_is_retried(west):
    with mock.patch.object(tasks.compile_report, "apply_async"):
        version = request_report(west).version
    with mock.patch("audit_app.reports.services.report_content", side_effect=flaky_content(2)):
        tasks.compile_report.apply(args=[version.pk], task_id=version.celery_task_id, throw=False)
    version.refresh_from_db()
    assert version.state == ReportState.READY
    assert version.attempts == 3


def test_retry_backoff_grows_and_is_capped():
    assert 5 <= tasks.retry_countdown(0) <= 10
    assert 20 <= tasks.retry_countdown(2) <= 40
    assert tasks.retry_countdown(20) <= tasks.RETRY_BACKOFF_MAX_SECONDS


def test_a_database_that_stays_down_fails_the_version_after_the_last_retry(west):
    with mock.patch.object(tasks.compile_report, "apply_async"):
        version = request_report(west).version
    with mock.patch(
        "audit_app.reports.services.report_content",
        side_effect=OperationalError("could not connect"),
    ):
        tasks.compile_report.apply(args=[version.pk], task_id=version.celery_task_id, throw=False)
    version.refresh_from_db()
    assert version.state == ReportState.FAILED
    assert version.attempts == tasks.MAX_RETRIES + 1
    assert "stayed unavailable" in version.failure_reason


def test_the_soft_time_limit_fails_the_version_with_the_reason(west):
    with mock.patch.object(tasks.compile_report, "apply_async"):
        version = request_report(west).version
    with mock.patch(
        "audit_app.reports.services.render_report_pdf", side_effect=SoftTimeLimitExceeded()
    ):
        tasks.compile_report.apply(args=[version.pk])
    version.refresh_from_db()
    assert version.state == ReportState.FAILED
    assert "took longer than" in version.failure_reason
    assert tasks.compile_report.soft_time_limit < tasks.compile_report.time_limit
    assert tasks.compile_report.acks_late and tasks.compile_report.reject_on_worker_lost


def test_a_broker_that_is_down_fails_the_request_with_a_clear_message(
    west, django_capture_on_commit_callbacks, caplog
):
    from audit_app.celery import app

    app.conf.task_always_eager = False  # restored by the autouse fixture
    with (
        mock.patch.object(
            tasks.compile_report, "apply_async", side_effect=BrokerError("Connection refused")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        outcome = request_report(west)
    version = PvpReportVersion.objects.get(pk=outcome.version.pk)
    assert version.state == ReportState.FAILED
    assert version.failure_reason == services.QUEUE_UNAVAILABLE
    assert f"report version {version.pk} could not be queued" in caplog.text


def test_the_monthly_schedule_asks_for_every_area_and_the_force(reference_data):
    with mock.patch.object(tasks.compile_report, "apply_async"):
        assert tasks.schedule_monthly_reports.apply().get() == 4
        tasks.schedule_monthly_reports.apply().get()  # a second run joins what is in flight
    assert PvpReportVersion.objects.count() == 4
    assert PvpReport.objects.filter(area__isnull=True).count() == 1


def test_beat_runs_the_schedule_monthly_in_london_time(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["monthly-pvp-reports"]
    assert entry["task"] == "reports.schedule_monthly"
    assert entry["schedule"].day_of_month == {settings.REPORT_DAY_OF_MONTH}
    assert settings.CELERY_TIMEZONE == "Europe/London"
    assert (
        settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        > settings.CELERY_TASK_TIME_LIMIT
    )
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1


@pytest.mark.celery_worker
def test_a_report_is_compiled_by_a_real_worker_over_the_broker(celery_worker_on_broker):
    from django.core.management import call_command

    from audit_app.celery import app

    assert app.conf.task_always_eager is False
    call_command("load_reference_data", verbosity=0)
    area = Area.objects.get(code="west")
    build_month(
        area=area,
        month=MONTH,
        people=people_for(area),
        plan=[Planned("DA", original=Grade.GOOD), Planned("REF", original=Grade.INADEQUATE)],
    )
    outcome = request_report(area)  # autocommit: queued on the broker at once
    deadline = time.monotonic() + 60
    state = None
    while time.monotonic() < deadline:
        state = PvpReportVersion.objects.get(pk=outcome.version.pk).state
        if state in (ReportState.READY, ReportState.FAILED):
            break
        time.sleep(0.2)
    version = PvpReportVersion.objects.get(pk=outcome.version.pk)
    assert state == ReportState.READY, version.failure_reason
    assert version.celery_task_id and version.attempts == 1
    assert version.file.read(5) == b"%PDF-"


@pytest.mark.celery_worker
def test_a_temporary_error_is_retried_through_the_broker_with_backoff(celery_worker_on_broker):
    from django.core.management import call_command

    call_command("load_reference_data", verbosity=0)
    area = Area.objects.get(code="west")
    build_month(
        area=area, month=MONTH, people=people_for(area), plan=[Planned("DA", original=Grade.GOOD)]
    )
    with (
        mock.patch("audit_app.reports.services.report_content", side_effect=flaky_content(1)),
        mock.patch.object(tasks, "retry_countdown", return_value=0.2) as countdown,
    ):
        outcome = request_report(area)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            version = PvpReportVersion.objects.get(pk=outcome.version.pk)
            if version.state in (ReportState.READY, ReportState.FAILED):
                break
            time.sleep(0.2)
    assert version.state == ReportState.READY, version.failure_reason
    assert version.attempts == 2
    countdown.assert_called_once_with(0)
