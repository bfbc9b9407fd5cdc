"""Reads for PVP reports and meeting actions: scoped to what the user may see, and the report's
figures compiled in the database with a fixed number of queries whatever the amount of data."""

from __future__ import annotations

import datetime
import json
from collections import Counter
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from audit_app.audits.models import (
    Audit,
    AuditState,
    Grade,
    Moderation,
    ModerationDecision,
    RoundKind,
)
from audit_app.audits.selectors import awaiting_blind_grade
from audit_app.feedback.models import FeedbackRole
from audit_app.feedback.selectors import STATUS_NO_RECIPIENT, feedback_status_by_audit
from audit_app.models import Area, Force, Role, RoleAssignment, TeamType, User
from audit_app.models.reference import CaseTheme
from audit_app.months import add_months
from audit_app.permissions import areas_for, user_scope
from audit_app.reports.key_messages import key_messages_for_report
from audit_app.reports.models import (
    OPEN_ACTION_STATES,
    MeetingAction,
    PvpReport,
    PvpReportVersion,
)
from audit_app.reports.sections.areas import areas_section
from audit_app.reports.sections.escalations import escalations_section
from audit_app.reports.sections.improvement import improvement_by_theme, team_types_defined
from audit_app.reports.sections.questions import question_findings

# Senior leaders chair the meetings, audit managers run auditing, and the area's detective
# inspector (the moderator) presents the report: all three read and download their area's reports.
REPORT_READERS = (Role.SENIOR_LEADER, Role.AUDIT_MANAGER, Role.MODERATOR)
# Only senior leaders and audit managers ask for a report or record what a meeting agreed.
REPORT_WRITERS = (Role.SENIOR_LEADER, Role.AUDIT_MANAGER)

GRADES = [Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE]
TREND_MONTHS = 6  # at most this many earlier months shown, from the first with data
ACTIONS_KEPT_MONTHS = 6  # closed actions stay in the report this long; open ones until closed
CONTENT_SCHEMA = 2  # 2: feedback status per audit
# The report's feedback summary, in this order.
FEEDBACK_STATUS_ORDER = ["owed", "sent", "acknowledged", "given"]


# --- Scope --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportScope:
    """The areas whose reports a user may see, and the forces whose force-wide report they may."""

    area_ids: frozenset[int]
    force_ids: frozenset[int]

    def report_filter(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}area_id__in": self.area_ids}) | Q(
            **{f"{prefix}area__isnull": True, f"{prefix}force_id__in": self.force_ids}
        )

    def covers(self, *, force_id: int, area_id: int | None) -> bool:
        return area_id in self.area_ids if area_id else force_id in self.force_ids


def report_scope(user: User, roles: tuple[str, ...] = REPORT_READERS) -> ReportScope:
    scope = user_scope(user)
    force_ids: set[int] = set()
    for role in roles:
        force_ids |= scope.force_wide.get(role, frozenset())
    area_ids = frozenset(areas_for(user, roles).values_list("pk", flat=True))
    return ReportScope(area_ids=area_ids, force_ids=frozenset(force_ids))


def forces_of(user: User) -> list[int]:
    """The forces the user holds any role in."""
    return list(
        RoleAssignment.objects.filter(user=user).values_list("force_id", flat=True).distinct()
    )


def report_choices(user: User, roles: tuple[str, ...] = REPORT_WRITERS) -> list[tuple[str, str]]:
    """The meetings the user may act for: the whole force first (if force-wide), then areas."""
    scope = report_scope(user, roles)
    choices = [
        (f"force-{force.pk}", f"Whole force ({force.name})")
        for force in Force.objects.filter(pk__in=scope.force_ids).order_by("name")
    ]
    choices += [
        (f"area-{area.pk}", f"{area.name} area")
        for area in Area.objects.filter(pk__in=scope.area_ids).order_by("force__name", "name")
    ]
    return choices


def resolve_choice(user: User, value: str, roles: tuple[str, ...]) -> tuple[Force, Area | None]:
    """The force and area (None for force-wide) a choice from `report_choices` names, or 404."""
    kind, _, raw_id = value.partition("-")
    if not raw_id.isdigit():
        raise Http404("No such meeting.")
    scope = report_scope(user, roles)
    if kind == "force" and int(raw_id) in scope.force_ids:
        return Force.objects.get(pk=int(raw_id)), None
    if kind == "area" and int(raw_id) in scope.area_ids:
        area = Area.objects.select_related("force").get(pk=int(raw_id))
        return area.force, area
    raise Http404("No such meeting.")


# --- Reports and versions -----------------------------------------------------------------------


def reports_for(user: User, roles: tuple[str, ...] = REPORT_READERS) -> QuerySet[PvpReport]:
    latest = PvpReportVersion.objects.filter(report=OuterRef("pk")).order_by("-number")
    return (
        PvpReport.objects.filter(report_scope(user, roles).report_filter())
        .select_related("area", "force", "current")
        .annotate(
            latest_state=Subquery(latest.values("state")[:1]),
            latest_number=Subquery(latest.values("number")[:1]),
        )
        .order_by("-month", "area__name")
    )


def report_for(user: User, report_id: int, roles: tuple[str, ...] = REPORT_READERS) -> PvpReport:
    report = reports_for(user, roles).filter(pk=report_id).first()
    if report is None:
        raise Http404("No such report.")
    return report


def report_versions(report: PvpReport) -> QuerySet[PvpReportVersion]:
    return (
        report.versions.select_related("requested_by")
        .annotate(download_count=Count("downloads"))
        .order_by("-number")
    )


def version_for(
    user: User, version_id: int, roles: tuple[str, ...] = REPORT_READERS
) -> PvpReportVersion:
    version = (
        PvpReportVersion.objects.filter(report_scope(user, roles).report_filter("report__"))
        .select_related("report__area", "report__force", "report__current")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise Http404("No such report.")
    return version


def versions_for(user: User) -> QuerySet[PvpReportVersion]:
    return (
        PvpReportVersion.objects.filter(report_scope(user).report_filter("report__"))
        .select_related("report__area", "report__force", "report__current")
        .order_by("-report__month", "report__area__name", "-number")
    )


# --- Meeting actions ----------------------------------------------------------------------------


def actions_for(user: User, roles: tuple[str, ...] = REPORT_READERS) -> QuerySet[MeetingAction]:
    return (
        MeetingAction.objects.filter(report_scope(user, roles).report_filter())
        .select_related("area", "force", "recommendation")
        .prefetch_related("themes")
    )


def action_for(user: User, action_id: int, roles: tuple[str, ...] = REPORT_WRITERS):
    action = actions_for(user, roles).filter(pk=action_id).first()
    if action is None:
        raise Http404("No such action.")
    return action


# --- The report's content -----------------------------------------------------------------------


def _scope_filter(force: Force, area: Area | None, round_field: str) -> Q:
    if area is not None:
        return Q(**{f"{round_field}__area_id": area.pk})
    return Q(**{f"{round_field}__area__force_id": force.pk})


def _counts() -> list[int]:
    return [0] * len(GRADES)


def _recommendations(
    force: Force, area: Area | None, month: datetime.date, cutoff: datetime.datetime
) -> list[dict] | None:
    """Progress on the inspection's recommendations, once the recommendations app tracks it."""
    from recommendations import selectors as recommendation_selectors

    summary = getattr(recommendation_selectors, "report_summary", None)
    if summary is None:
        return None
    fields = (
        "inspection_title",
        "number",
        "heading",
        "timescale",
        "due_on",
        "state",
        "latest_force_rating",
        "latest_inspector_rating",
        "latest_project_reading_rating",
        "evidence_yes",
        "evidence_partly",
        "evidence_no",
        "overdue_actions",
    )
    rows = summary(
        force_id=force.pk,
        month=month,
        area_ids=[area.pk] if area else None,
        today=timezone.localdate(cutoff),
    )
    return [{name: getattr(row, name, None) for name in fields} for row in rows]


def report_content(
    *, force: Force, area: Area | None, month: datetime.date, cutoff: datetime.datetime
) -> dict:
    """Everything the report shows, as plain data: counts come from database aggregates; lists
    name cases by reference and team only. Only monthly rounds count, and only audits moderated
    by `cutoff`; the month's other audits are listed apart, never counted."""
    first_month = add_months(month, -TREND_MONTHS)
    # A report is read by many: it counts and quotes only what every reader may see.
    final = (
        Q(
            decision__in=[ModerationDecision.AGREED, ModerationDecision.CHANGED],
            audit__state=AuditState.MODERATED,
            audit__moderated_at__lte=cutoff,
            audit__round__kind=RoundKind.MONTHLY,
        )
        & ~awaiting_blind_grade("audit")
        & _scope_filter(force, area, "audit__round")
    )
    in_month = Q(audit__round__month=month)
    in_period = Q(audit__round__month__gte=first_month, audit__round__month__lte=month)
    grade_index = {grade.value: i for i, grade in enumerate(GRADES)}

    # 1. Every grade figure (by theme, by team type, the trend, what moderation changed).
    figures = (
        Moderation.objects.filter(final & in_period)
        .values(
            "audit__round__month",
            "audit__case__theme_id",
            "audit__case__team__team_type",
            "original_grade",
            "agreed_grade",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    # 2. The case themes, in their order, so empty ones still show.
    themes = {
        theme.pk: {"code": theme.code, "name": theme.name, "counts": _counts()}
        for theme in CaseTheme.objects.filter(is_active=True).order_by("display_order", "code")
    }
    team_types = {
        code: {"code": code, "label": label, "counts": _counts()}
        for code, label in TeamType.choices
    }
    # The trend starts at the first month with data (else this month): no empty months before.
    start = min((row["audit__round__month"] for row in figures), default=month)
    months = [add_months(first_month, i) for i in range(TREND_MONTHS + 1)]
    months = [m for m in months if m >= start]
    trend = {
        m: {
            "month": m,
            "counts": _counts(),
            "by_team_type": {code: _counts() for code in TeamType.values},
        }
        for m in months
    }
    matrix = [_counts() for _ in GRADES]
    missing_theme_ids = set()
    for row in figures:
        agreed = grade_index[row["agreed_grade"]]
        team_type = row["audit__case__team__team_type"]
        point = trend[row["audit__round__month"]]
        point["counts"][agreed] += row["n"]
        point["by_team_type"][team_type][agreed] += row["n"]
        if row["audit__round__month"] != month:
            continue
        if row["audit__case__theme_id"] not in themes:
            missing_theme_ids.add(row["audit__case__theme_id"])
        themes.setdefault(
            row["audit__case__theme_id"], {"code": "", "name": "", "counts": _counts()}
        )["counts"][agreed] += row["n"]
        team_types[team_type]["counts"][agreed] += row["n"]
        matrix[grade_index[row["original_grade"]]][agreed] += row["n"]
    if missing_theme_ids:  # a retired theme that still has audits this month
        for theme in CaseTheme.objects.filter(pk__in=missing_theme_ids):
            themes[theme.pk].update(code=theme.code, name=theme.name)

    # 3. The finding themes moderators tagged, this month and over the period.
    tagged = (
        Moderation.themes.through.objects.filter(
            Q(moderation__in=Moderation.objects.filter(final & in_period))
        )
        .values("findingtheme__name", "moderation__audit__round__month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    finding: dict[str, dict] = {}
    for row in tagged:
        entry = finding.setdefault(
            row["findingtheme__name"],
            {"name": row["findingtheme__name"], "month": 0, "period": 0},
        )
        entry["period"] += row["n"]
        if row["moderation__audit__round__month"] == month:
            entry["month"] += row["n"]
    finding_themes = sorted(
        (entry for entry in finding.values() if entry["month"]),
        key=lambda entry: (-entry["month"], -entry["period"], entry["name"]),
    )

    # 4. The month's moderated audits, for the changed grades, good practice and improvements.
    details = (
        Moderation.objects.filter(final & in_month)
        .values(
            "audit_id",
            "audit__case__officer_in_case_id",
            "audit__case__supervisor_id",
            "audit__case__officer_in_case__line_manager_id",
            "audit__case__reference",
            "audit__round__area__name",
            "audit__case__team__name",
            "audit__case__team__team_type",
            "audit__case__theme__code",
            "audit__case__theme__name",
            "decision",
            "original_grade",
            "agreed_grade",
            "reason",
            "good_practice_to_publicise",
            "audit__good_practice",
            "audit__areas_for_improvement",
        )
        .order_by("audit__case__theme__display_order", "audit__case__reference")
    )
    details = list(details)
    statuses = feedback_status_by_audit(
        {
            row["audit_id"]: (
                row["audit__case__officer_in_case_id"],
                row["audit__case__supervisor_id"]
                or row["audit__case__officer_in_case__line_manager_id"],
            )
            for row in details
        }
    )
    changes, good_practice, improvement, feedback = [], [], [], []
    feedback_counts: Counter[str] = Counter()
    by_area: dict[str, Counter[str]] = {}
    for row in details:
        case = {
            "reference": row["audit__case__reference"],
            "area": row["audit__round__area__name"],
            "team": row["audit__case__team__name"],
            "team_type": row["audit__case__team__team_type"],
            "theme": row["audit__case__theme__code"],
            "theme_name": row["audit__case__theme__name"],
            "grade": row["agreed_grade"],
        }
        if row["decision"] == ModerationDecision.CHANGED:
            changes.append({**case, "original": row["original_grade"], "reason": row["reason"]})
        if row["good_practice_to_publicise"]:
            good_practice.append({**case, "text": row["audit__good_practice"]})
        if row["audit__areas_for_improvement"]:
            improvement.append({**case, "text": row["audit__areas_for_improvement"]})
        status = statuses[row["audit_id"]]
        feedback.append(
            {
                **case,
                "officer": status[FeedbackRole.OFFICER].label,
                "supervisor": status[FeedbackRole.SUPERVISOR].label,
            }
        )
        codes = [s.code for s in status.values() if s.code != STATUS_NO_RECIPIENT]
        feedback_counts.update(codes)
        by_area.setdefault(case["area"], Counter()).update(codes)

    # 5. The month's audits not (yet) moderated: listed apart, never counted.
    audit_scope = _scope_filter(force, area, "round") & Q(round__month=month)
    unmoderated = [
        {
            "reference": row["case__reference"],
            "area": row["round__area__name"],
            "team": row["case__team__name"],
            "theme": row["case__theme__code"],
            "state": row["state"],
            "state_label": AuditState(row["state"]).label,
        }
        for row in Audit.objects.filter(audit_scope, round__kind=RoundKind.MONTHLY)
        .exclude(state=AuditState.MODERATED, moderated_at__lte=cutoff)
        .values(
            "case__reference",
            "round__area__name",
            "case__team__name",
            "case__theme__code",
            "state",
        )
        .order_by("case__theme__display_order", "case__reference")
    ]
    # 6. Audits of inspection rounds that month: kept apart from the force's own figures.
    inspection_audits = Audit.objects.filter(audit_scope, round__kind=RoundKind.INSPECTION).count()

    # 7-8. Actions agreed at earlier meetings: open ones until closed, closed ones for six months.
    actions = MeetingAction.objects.filter(force=force, meeting_month__lt=month).filter(
        Q(state__in=OPEN_ACTION_STATES) | Q(meeting_month__gte=first_month)
    )
    if area is not None:
        actions = actions.filter(area=area)
    actions = (
        actions.select_related("area", "recommendation")
        .prefetch_related("themes")
        .order_by(F("area__name").asc(nulls_first=True), "-meeting_month", "due_on", "pk")
    )
    action_rows = [
        {
            "meeting": f"{action.area.name} area meeting" if action.area_id else "Central meeting",
            "meeting_month": action.meeting_month,
            "description": action.description,
            "type": action.get_action_type_display(),
            "owner": action.owner,
            "due_on": action.due_on,
            "state": action.state,
            "state_label": action.get_state_display(),
            "overdue": action.state in OPEN_ACTION_STATES and action.due_on < cutoff.date(),
            "themes": [theme.name for theme in action.themes.all()],
            "recommendation": (
                f"Recommendation {action.recommendation.number}" if action.recommendation else ""
            ),
        }
        for action in actions
    ]

    content = {
        "schema": CONTENT_SCHEMA,
        "force": force.name,
        "area": area.name if area else None,
        "month": month,
        "cutoff": cutoff,
        "escalations": escalations_section(force=force, area=area, month=month, cutoff=cutoff),
        "key_messages": key_messages_for_report(force=force, area=area, month=month),
        "grades": [[grade.value, grade.label] for grade in GRADES],
        "themes": list(themes.values()),
        "team_types": list(team_types.values()),
        "areas": areas_section(final=final, force=force, area=area, month=month),
        "questions": question_findings(final=final, force_wide=area is None, month=month),
        "team_types_defined": team_types_defined(force=force, area=area),
        "trend": list(trend.values()),
        "moderation": {"matrix": matrix, "changes": changes},
        "finding_themes": finding_themes,
        "good_practice": good_practice,
        "improvement": improvement,
        "improvement_by_theme": improvement_by_theme(details, final & in_month),
        "feedback": {
            "audits": feedback,
            "counts": {code: feedback_counts[code] for code in FEEDBACK_STATUS_ORDER},
            # The central meeting reads the areas side by side, and the audits still owed.
            "by_area": [
                {"area": name, "counts": [counts[code] for code in FEEDBACK_STATUS_ORDER]}
                for name, counts in sorted(by_area.items())
            ],
        },
        "unmoderated": unmoderated,
        "inspection_audits": inspection_audits,
        "actions": action_rows,
        "recommendations": _recommendations(force, area, month, cutoff),
    }
    # Exactly what a JSONField gives back, so a fresh compile and a stored one render alike.
    return json.loads(json.dumps(content, cls=DjangoJSONEncoder))
