"""Retention: finding and, on confirmation, erasing records kept past the retention period.

The period runs from the round's month (seven years by default, RETENTION_YEARS). What goes: the
rounds, their audits with answers, moderation, feedback, escalations and events, their selection
slots, the cases no newer round uses, the PVP reports of those months (with their files), and the
change history of every erased row, since it holds the same content. Each erased round is
recorded in the access log with the counts (never the content). Nothing is erased without
`confirm=True`; the scheduled run only reports.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit_app.access_log.models import AccessAction
from audit_app.access_log.services import access_record
from audit_app.audits.models import (
    Answer,
    Audit,
    AuditRound,
    Case,
    Moderation,
    SafeguardingEscalation,
)
from audit_app.feedback.models import Feedback
from audit_app.models import User
from audit_app.months import add_months
from audit_app.rounds.models import SelectionSlot

logger = logging.getLogger(__name__)


def retention_cutoff(today: datetime.date | None = None) -> datetime.date:
    """Rounds of months before this date are past retention."""
    today = today or timezone.localdate()
    return add_months(today.replace(day=1), -12 * settings.RETENTION_YEARS)


def expired_rounds(today: datetime.date | None = None) -> QuerySet[AuditRound]:
    return AuditRound.objects.filter(month__lt=retention_cutoff(today)).select_related("area")


@dataclass
class RetentionReport:
    cutoff: datetime.date
    counts: Counter = field(default_factory=Counter)
    rounds: list[str] = field(default_factory=list)


def _reports_model():
    from audit_app.reports.models import PvpReport

    return PvpReport


def _expired_cases(rounds: QuerySet[AuditRound], cutoff: datetime.date) -> QuerySet[Case]:
    """Cases used only by these rounds, and candidates recorded before the cutoff never used."""
    round_ids = list(rounds.values_list("pk", flat=True))
    used_elsewhere = Q(pk__in=Audit.objects.exclude(round_id__in=round_ids).values("case_id")) | Q(
        pk__in=SelectionSlot.objects.exclude(round_id__in=round_ids).values("case_id")
    )
    in_these = Q(audits__round_id__in=round_ids) | Q(selection_slot__round_id__in=round_ids)
    never_used = Q(occurred_on__lt=cutoff, audits__isnull=True, selection_slot__isnull=True)
    return Case.objects.filter(in_these | never_used).exclude(used_elsewhere).distinct()


def retention_report(today: datetime.date | None = None) -> RetentionReport:
    rounds = expired_rounds(today)
    audits = Audit.objects.filter(round__in=rounds)
    report = RetentionReport(cutoff=retention_cutoff(today))
    report.rounds = [f"{r.area.name} {r.month:%B %Y} ({r.get_kind_display()})" for r in rounds]
    report.counts.update(
        {
            "rounds": rounds.count(),
            "audits": audits.count(),
            "answers": Answer.objects.filter(audit__in=audits).count(),
            "moderations": Moderation.objects.filter(audit__in=audits).count(),
            "feedback records": Feedback.objects.filter(audit__in=audits).count(),
            "escalations": SafeguardingEscalation.objects.filter(audit__in=audits).count(),
            "cases": _expired_cases(rounds, report.cutoff).count(),
            "PVP reports": _reports_model().objects.filter(month__lt=report.cutoff).count(),
        }
    )
    return report


def _purge_history(model, ids: list[int]) -> int:
    if not ids:
        return 0
    deleted, _ = model.history.model.objects.filter(id__in=ids).delete()
    return deleted


@transaction.atomic
def retention_erase(
    *, today: datetime.date | None = None, by: User | None = None
) -> RetentionReport:
    """Erase everything past retention, all or nothing, logging each round erased."""
    report = retention_report(today)
    if not any(report.counts.values()):
        return report
    rounds = list(expired_rounds(today))
    round_ids = [r.pk for r in rounds]
    audits = Audit.objects.filter(round_id__in=round_ids)
    audit_ids = list(audits.values_list("pk", flat=True))
    case_ids = list(
        _expired_cases(AuditRound.objects.filter(pk__in=round_ids), report.cutoff).values_list(
            "pk", flat=True
        )
    )
    answer_ids = list(Answer.objects.filter(audit_id__in=audit_ids).values_list("pk", flat=True))
    moderation_ids = list(
        Moderation.objects.filter(audit_id__in=audit_ids).values_list("pk", flat=True)
    )
    feedback_ids = list(
        Feedback.objects.filter(audit_id__in=audit_ids).values_list("pk", flat=True)
    )
    escalation_ids = list(
        SafeguardingEscalation.objects.filter(audit_id__in=audit_ids).values_list("pk", flat=True)
    )
    slot_ids = list(
        SelectionSlot.objects.filter(round_id__in=round_ids).values_list("pk", flat=True)
    )

    Feedback.objects.filter(pk__in=feedback_ids).delete()
    SafeguardingEscalation.objects.filter(pk__in=escalation_ids).delete()
    Moderation.objects.filter(pk__in=moderation_ids).delete()
    audits.delete()  # answers, submissions, events and blind grades go with them
    SelectionSlot.objects.filter(pk__in=slot_ids).delete()
    Case.objects.filter(pk__in=case_ids).delete()
    for model, ids in (
        (Answer, answer_ids),
        (Audit, audit_ids),
        (Moderation, moderation_ids),
        (Feedback, feedback_ids),
        (SafeguardingEscalation, escalation_ids),
        (SelectionSlot, slot_ids),
        (Case, case_ids),
        (AuditRound, round_ids),
    ):
        _purge_history(model, ids)
    for audit_round in rounds:
        access_record(
            user=by,
            action=AccessAction.ERASE,
            record_type="round",
            record_id=str(audit_round.pk),
            detail={
                "reason": f"past retention ({settings.RETENTION_YEARS} years)",
                "month": f"{audit_round.month:%Y-%m}",
                "area": audit_round.area.code,
            },
        )
    AuditRound.objects.filter(pk__in=round_ids).delete()
    erased_reports = _erase_reports(report.cutoff, by)
    logger.info(
        "retention: erased %s rounds, %s audits, %s cases and %s PVP reports before %s",
        len(round_ids),
        len(audit_ids),
        len(case_ids),
        erased_reports,
        report.cutoff,
    )
    return report


def _erase_reports(cutoff: datetime.date, by: User | None) -> int:
    from audit_app.reports.models import DownloadLog, PvpReport, PvpReportVersion

    reports = list(PvpReport.objects.filter(month__lt=cutoff))
    if not reports:
        return 0
    versions = PvpReportVersion.objects.filter(report__in=reports)
    files = [v.file for v in versions if v.file]
    PvpReport.objects.filter(pk__in=[r.pk for r in reports]).update(current=None)
    DownloadLog.objects.filter(version__in=versions).delete()
    versions.delete()
    for report in reports:
        access_record(
            user=by,
            action=AccessAction.ERASE,
            record_type="report",
            record_id=str(report.pk),
            detail={"month": f"{report.month:%Y-%m}", "reason": "past retention"},
        )
    PvpReport.objects.filter(pk__in=[r.pk for r in reports]).delete()
    # Files go only once the rows are gone for certain.
    transaction.on_commit(lambda: [f.delete(save=False) for f in files])
    return len(reports)


def retention_notify(report: RetentionReport) -> None:
    from audit_app.models import Role
    from audit_app.notifications.services import notification_queue

    managers = User.objects.filter(
        role_assignments__role=Role.AUDIT_MANAGER,
        role_assignments__area__isnull=True,
        is_active=True,
    ).distinct()
    counts = ", ".join(f"{count} {name}" for name, count in report.counts.items() if count)
    for manager in managers:
        notification_queue(
            recipient=manager,
            subject="Case audit: records past the retention period",
            body=(
                f"Records from before {report.cutoff:%B %Y} are past the retention period: "
                f"{counts}. Review them and erase with `manage.py retention --confirm`."
            ),
        )
