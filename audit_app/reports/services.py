"""Writes for PVP reports (request, compile, render, store, fail) and meeting actions."""

from __future__ import annotations

import datetime
import hashlib
import logging
import uuid
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

from audit_app.audits.models import FindingTheme
from audit_app.dates import plausible_date_problem
from audit_app.models import Area, Force, User
from audit_app.months import add_months, current_month, first_of_month
from audit_app.queueing import task_named
from audit_app.reports.models import (
    DESCRIPTION_MAX_LENGTH,
    IN_FLIGHT_STATES,
    ActionState,
    ActionType,
    DownloadLog,
    MeetingAction,
    PvpReport,
    PvpReportVersion,
    ReportState,
    report_storage,
)
from audit_app.reports.rendering import render_report_html, render_report_pdf
from audit_app.reports.selectors import report_content
from recommendations.models import Recommendation

logger = logging.getLogger(__name__)

QUEUE_UNAVAILABLE = "The queue is unavailable, so the report could not be started. Try again."
REASON_MAX_LENGTH = 300
# A report covers this month or one of the twelve before it: the months the page offers, and the
# only ones the API takes, since both ask through `report_request`.
REPORT_MONTHS = 13


def stale_after() -> datetime.timedelta:
    """A version still queued this long after it was asked for was lost (the queue forgot it):
    a new request replaces it rather than joining. Twice the broker's visibility timeout, after
    which Redis would have delivered it again."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    return datetime.timedelta(seconds=2 * visibility)


def running_too_long() -> datetime.timedelta:
    """A version compiling or rendering for longer than the task's hard time limit was killed
    with its worker process (the task had no chance to record it), so it is replaced too."""
    return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def is_lost(version: PvpReportVersion, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    if version.state == ReportState.QUEUED:
        return version.requested_at < now - stale_after()
    if version.state in IN_FLIGHT_STATES:
        started = version.started_at or version.requested_at
        return started < now - running_too_long()
    return False


@dataclass(frozen=True)
class ReportRequest:
    version: PvpReportVersion
    joined: bool  # True: a version for this report was already in flight and is shared


def report_months(today: datetime.date | None = None) -> list[datetime.date]:
    """The months a report may be asked for, newest first."""
    this_month = current_month(today)
    return [add_months(this_month, -i) for i in range(REPORT_MONTHS)]


def report_month_problem(month: datetime.date, today: datetime.date | None = None) -> str | None:
    """Why a report cannot be asked for `month`, or None when it can."""
    months = report_months(today)
    month = first_of_month(month)
    if month > months[0]:
        return "Choose this month or an earlier one: a report cannot be ahead."
    if month < months[-1]:
        return (
            f"Choose a month from {months[-1]:%B %Y} to {months[0]:%B %Y}: a report covers "
            f"this month or one of the {REPORT_MONTHS - 1} before it."
        )
    return None


def _validate_request(force: Force, area: Area | None, month: datetime.date) -> datetime.date:
    if area is not None and area.force_id != force.pk:
        raise ValidationError("That area is not in this force.")
    problem = report_month_problem(month)
    if problem is not None:
        raise ValidationError(problem)
    return first_of_month(month)


def report_request(
    *, force: Force, area: Area | None, month: datetime.date, by: User | None
) -> ReportRequest:
    """Ask for a new version of a report. Joins the version in flight if there is one; otherwise
    numbers a new one, queued, and sends it to the worker once the transaction commits."""
    month = _validate_request(force, area, month)
    with transaction.atomic():
        report, _ = PvpReport.objects.get_or_create(force=force, area=area, month=month)
        report = PvpReport.objects.select_for_update().get(pk=report.pk)
        in_flight = report.versions.filter(state__in=IN_FLIGHT_STATES).first()
        if in_flight is not None:
            if not is_lost(in_flight):
                logger.info("report %s: request joined version %s", report.pk, in_flight.pk)
                return ReportRequest(version=in_flight, joined=True)
            logger.warning("report version %s lost in flight: replaced", in_flight.pk)
            _fail(in_flight.pk, "It did not finish in time and was replaced by a new request.")
        report.last_version = F("last_version") + 1
        report.save(update_fields=["last_version"])
        report.refresh_from_db(fields=["last_version"])
        version = PvpReportVersion.objects.create(
            report=report,
            number=report.last_version,
            requested_by=by,
            celery_task_id=str(uuid.uuid4()),
        )
        logger.info("report %s: version %s queued", report.pk, version.pk)
        transaction.on_commit(partial(_enqueue, version.pk, version.celery_task_id))
    return ReportRequest(version=version, joined=False)


def _enqueue(version_id: int, task_id: str) -> None:
    compile_report = task_named("reports.compile_report")
    if compile_report.app.conf.task_always_eager:
        # In-process (no broker): run now; retries run at once rather than raising to the caller.
        compile_report.apply(args=[version_id], task_id=task_id, throw=False)
        return
    try:
        compile_report.apply_async(
            args=[version_id],
            task_id=task_id,
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
        )
    except Exception as exc:  # the broker's errors vary by transport: all mean "not queued"
        logger.exception(
            "report version %s could not be queued (%s)", version_id, type(exc).__name__
        )
        _fail(version_id, QUEUE_UNAVAILABLE)


def _fail(version_id: int, reason: str) -> bool:
    updated = PvpReportVersion.objects.filter(pk=version_id, state__in=IN_FLIGHT_STATES).update(
        state=ReportState.FAILED,
        failure_reason=reason[:REASON_MAX_LENGTH],
        finished_at=timezone.now(),
    )
    return bool(updated)


def report_version_fail(*, version_id: int, reason: str) -> bool:
    """Mark a version failed with a reason fit to show (no child data). The report's current
    version, if any, stays as it was and downloadable."""
    failed = _fail(version_id, reason)
    if failed:
        logger.warning("report version %s failed: %s", version_id, reason)
    return failed


def report_version_retrying(*, version_id: int) -> None:
    """Put a version that met a temporary problem back in the queue for the retry."""
    PvpReportVersion.objects.filter(pk=version_id, state__in=IN_FLIGHT_STATES).update(
        state=ReportState.QUEUED
    )


def _claim(version_id: int, task_id: str) -> bool:
    """Take a queued version for compiling. A repeat of a finished task finds nothing to take; the
    same task delivered again after its worker died may take its own version back."""
    claimable = Q(state=ReportState.QUEUED)
    if task_id:
        claimable |= Q(state__in=IN_FLIGHT_STATES, celery_task_id=task_id)
    return bool(
        PvpReportVersion.objects.filter(claimable, pk=version_id).update(
            state=ReportState.COMPILING,
            started_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )


def report_file_name(version: PvpReportVersion) -> str:
    report = version.report
    scope = report.area.code if report.area_id else "force"
    month = f"{report.month:%Y-%m}"
    return f"reports/{report.force.code}/{month}/pvp-{scope}-{month}-v{version.number}.pdf"


def download_filename(version: PvpReportVersion) -> str:
    report = version.report
    scope = report.area.code if report.area_id else "force"
    return f"pvp-report-{report.force.code}-{scope}-{report.month:%Y-%m}-v{version.number}.pdf"


def report_version_build(*, version_id: int, task_id: str = "") -> str:
    """Compile the figures, render the PDF, store it and make it the report's current version.

    Returns the state the version ends in; a version not claimable (already done, failed, or being
    compiled by another task) is left alone."""
    if not _claim(version_id, task_id):
        state = PvpReportVersion.objects.filter(pk=version_id).values_list("state", flat=True)
        logger.info("report version %s not claimed (state %s)", version_id, list(state))
        return state[0] if state else "missing"
    version = PvpReportVersion.objects.select_related("report__force", "report__area").get(
        pk=version_id
    )
    report = version.report
    cutoff = timezone.now()
    content = report_content(
        force=report.force, area=report.area, month=report.month, cutoff=cutoff
    )
    generated_at = timezone.now()
    rendering = PvpReportVersion.objects.filter(pk=version_id, state=ReportState.COMPILING).update(
        state=ReportState.RENDERING,
        content=content,
        data_cutoff=cutoff,
        generated_at=generated_at,
    )
    if not rendering:
        return _left_alone(version_id)
    html = render_report_html(
        content, number=version.number, generated_at=generated_at, for_pdf=True
    )
    pdf, pages = render_report_pdf(html)
    storage = report_storage()
    name = report_file_name(version)
    if storage.exists(name):  # left by an attempt that died before it was recorded
        storage.delete(name)
    saved_name = storage.save(name, ContentFile(pdf))
    with transaction.atomic():
        ready = PvpReportVersion.objects.filter(pk=version_id, state=ReportState.RENDERING).update(
            state=ReportState.READY,
            file=saved_name,
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            page_count=pages,
            finished_at=timezone.now(),
            failure_reason="",
        )
        if not ready:
            storage.delete(saved_name)
            return _left_alone(version_id)
        PvpReport.objects.filter(pk=report.pk).filter(
            Q(current__isnull=True) | Q(current__number__lt=version.number)
        ).update(current=version_id)
    logger.info("report version %s ready: %s pages, %s bytes", version_id, pages, len(pdf))
    return ReportState.READY


def _left_alone(version_id: int) -> str:
    state = PvpReportVersion.objects.filter(pk=version_id).values_list("state", flat=True).first()
    logger.warning("report version %s changed under its task (now %s)", version_id, state)
    return state or "missing"


def report_pdf_open(*, version: PvpReportVersion, user: User) -> tuple[File, str]:
    """The PDF of a version the user may read (found through selectors.version_for), opened, with
    its download name; the download is logged. A version with no PDF, or a PDF missing from the
    store, is a 404 on the page and the API alike."""
    if version.state != ReportState.READY:
        raise Http404("This version has no PDF.")
    try:
        handle = version.file.open("rb")
    except FileNotFoundError as exc:
        logger.error("report version %s: stored PDF is missing", version.pk)
        raise Http404("The PDF is missing from the store.") from exc
    report_download_log(version=version, user=user)
    return handle, download_filename(version)


def report_download_log(*, version: PvpReportVersion, user: User) -> DownloadLog:
    entry = DownloadLog.objects.create(version=version, user=user)
    logger.info("report version %s downloaded by user %s", version.pk, user.pk)
    return entry


def monthly_reports_request(*, month: datetime.date | None = None) -> list[ReportRequest]:
    """Every force's report and every area's, for the month just ended (the monthly schedule)."""
    month = first_of_month(month or add_months(current_month(), -1))
    requests = []
    for force in Force.objects.order_by("pk"):
        requests.append(report_request(force=force, area=None, month=month, by=None))
        for area in force.areas.order_by("pk"):
            requests.append(report_request(force=force, area=area, month=month, by=None))
    return requests


# --- Meeting actions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionInput:
    meeting_month: datetime.date
    description: str
    action_type: str
    owner: str
    due_on: datetime.date
    state: str = ActionState.AGREED
    theme_ids: tuple[int, ...] = ()
    recommendation_id: int | None = None


def _validated(force: Force, data: ActionInput) -> tuple[list[FindingTheme], int | None]:
    description, owner = data.description.strip(), data.owner.strip()
    if not description:
        raise ValidationError("Describe the action agreed.")
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ValidationError(
            f"The description must be {DESCRIPTION_MAX_LENGTH} characters or fewer."
        )
    if not owner:
        raise ValidationError("Say who owns the action.")
    if data.action_type not in ActionType.values:
        raise ValidationError("Choose the type of action.")
    if data.state not in ActionState.values:
        raise ValidationError("Choose the state of the action.")
    if first_of_month(data.meeting_month) > current_month():
        raise ValidationError("The meeting cannot be in a future month.")
    problem = plausible_date_problem(data.due_on)
    if problem is not None:
        raise ValidationError(f"The due date {problem}.")
    if data.due_on < first_of_month(data.meeting_month):
        raise ValidationError("The due date cannot be before the meeting's month.")
    themes = list(FindingTheme.objects.filter(pk__in=data.theme_ids))
    if len(themes) != len(set(data.theme_ids)):
        raise ValidationError("Choose themes from the list.")
    recommendation_id = data.recommendation_id
    if (
        recommendation_id is not None
        and not Recommendation.objects.filter(
            pk=recommendation_id, inspection__force=force
        ).exists()
    ):
        raise ValidationError("Choose a recommendation from the list.")
    return themes, recommendation_id


@transaction.atomic
def meeting_action_create(
    *, force: Force, area: Area | None, data: ActionInput, by: User
) -> MeetingAction:
    if area is not None and area.force_id != force.pk:
        raise ValidationError("That area is not in this force.")
    themes, recommendation_id = _validated(force, data)
    action = MeetingAction.objects.create(
        force=force,
        area=area,
        meeting_month=first_of_month(data.meeting_month),
        description=data.description.strip(),
        action_type=data.action_type,
        owner=data.owner.strip(),
        due_on=data.due_on,
        state=data.state,
        recommendation_id=recommendation_id,
        created_by=by,
        updated_by=by,
    )
    action.themes.set(themes)
    logger.info("meeting action %s recorded by user %s", action.pk, by.pk)
    return action


@transaction.atomic
def meeting_action_update(*, action: MeetingAction, data: ActionInput, by: User) -> MeetingAction:
    themes, recommendation_id = _validated(action.force, data)
    action = MeetingAction.objects.select_for_update().get(pk=action.pk)
    action.meeting_month = first_of_month(data.meeting_month)
    action.description = data.description.strip()
    action.action_type = data.action_type
    action.owner = data.owner.strip()
    action.due_on = data.due_on
    action.state = data.state
    action.recommendation_id = recommendation_id
    action.updated_by = by
    action.save()
    action.themes.set(themes)
    logger.info("meeting action %s updated by user %s", action.pk, by.pk)
    return action
