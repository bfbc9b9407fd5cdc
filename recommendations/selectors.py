"""Reads for recommendations: scoped to the user's forces and areas, counted in the database.

The evidence for a recommendation is what the monthly audits found on the questions that test it
(linked by question code, so it spans question-set versions), on cases of the themes that test it
(all themes when none is linked):

- answers: how often Yes, Partly, No and Not applicable, over audits submitted or moderated;
- grades: the moderated (agreed or changed) grade of each moderated audit that answered at least
  one of those questions other than Not applicable.

Inspection rounds are kept apart: only monthly rounds count. Each figure is one aggregate query,
however many audits there are.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from audit_app.audits.models import (
    GRADED_STATES,
    Answer,
    AnswerValue,
    AuditState,
    Grade,
    Moderation,
    ModerationDecision,
    Question,
    QuestionSetState,
    RoundKind,
)
from audit_app.audits.selectors import awaiting_blind_grade
from audit_app.models import User
from audit_app.models.reference import CaseTheme
from audit_app.months import add_months, first_of_month, month_end
from audit_app.permissions import user_scope
from audit_app.statistics import percent
from recommendations.models import (
    ActionState,
    AssessorKind,
    EvidenceQuestion,
    EvidenceTheme,
    ProgressAssessment,
    Rating,
    Recommendation,
    RecommendationAction,
)
from recommendations.permissions import (
    RecommendationAccess,
    evidence_scope,
    recommendation_access,
    visible_recommendations,
)

DETAIL_MONTHS = 12
TREND_MONTHS = 6


# --- The state of a recommendation's action plan ------------------------------------------------


class PlanState(Enum):
    NO_ACTIONS = ("no_actions", "No actions")
    OVERDUE = ("overdue", "Overdue actions")
    ON_TRACK = ("on_track", "On track")
    COMPLETE = ("complete", "All actions complete")

    def __init__(self, code: str, label: str) -> None:
        self.code = code
        self.label = label


def plan_state(*, total: int, complete: int, overdue: int) -> PlanState:
    if total == 0:
        return PlanState.NO_ACTIONS
    if overdue:
        return PlanState.OVERDUE
    if complete == total:
        return PlanState.COMPLETE
    return PlanState.ON_TRACK


def _with_plan_and_ratings(
    recommendations: QuerySet[Recommendation], as_of: datetime.date
) -> QuerySet[Recommendation]:
    """Annotate action counts as they stood on `as_of` (an action counts as complete from its
    completion date) and, for each kind of assessment, the latest rating given by then and its
    date. An inspectorate's entry loaded from a document has a date but no rating (the document
    gave none); the project's reading of it is the `project_reading` kind."""
    done = Q(actions__state=ActionState.COMPLETE, actions__completed_on__lte=as_of)
    annotations = {
        "action_total": Count("actions", distinct=True),
        "action_complete": Count("actions", filter=done, distinct=True),
        "action_overdue": Count(
            "actions", filter=Q(actions__due_on__lt=as_of) & ~done, distinct=True
        ),
    }
    for kind in AssessorKind:
        latest = ProgressAssessment.objects.filter(
            recommendation=OuterRef("pk"), kind=kind, assessed_on__lte=as_of
        ).order_by("-assessed_on", "-recorded_at", "-pk")
        annotations[f"latest_{kind.value}_rating"] = Subquery(latest.values("rating")[:1])
        annotations[f"latest_{kind.value}_on"] = Subquery(latest.values("assessed_on")[:1])
    return recommendations.annotate(**annotations)


def _plan_state_of(recommendation: Recommendation) -> PlanState:
    return plan_state(
        total=recommendation.action_total,
        complete=recommendation.action_complete,
        overdue=recommendation.action_overdue,
    )


def rating_label(value: str | None) -> str | None:
    return Rating(value).label if value else None


def _rating(value: str | None) -> Rating | None:
    return Rating(value) if value else None


# --- Evidence -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceLinks:
    codes: tuple[str, ...]
    theme_ids: tuple[int, ...]

    def answer_condition(self) -> Q:
        """Answers (or rows reached through `audit`) on these questions and themes."""
        condition = Q(question__code__in=self.codes)
        if self.theme_ids:
            condition &= Q(audit__case__theme_id__in=self.theme_ids)
        return condition


def evidence_links(recommendation_ids: Iterable[int]) -> dict[int, EvidenceLinks]:
    """The question codes and theme ids linked to each recommendation: two queries."""
    ids = list(recommendation_ids)
    codes: dict[int, list[str]] = {pk: [] for pk in ids}
    themes: dict[int, list[int]] = {pk: [] for pk in ids}
    for rec_id, code in EvidenceQuestion.objects.filter(recommendation_id__in=ids).values_list(
        "recommendation_id", "question_code"
    ):
        codes[rec_id].append(code)
    for rec_id, theme_id in EvidenceTheme.objects.filter(recommendation_id__in=ids).values_list(
        "recommendation_id", "theme_id"
    ):
        themes[rec_id].append(theme_id)
    return {
        pk: EvidenceLinks(codes=tuple(sorted(codes[pk])), theme_ids=tuple(sorted(themes[pk])))
        for pk in ids
    }


@dataclass(frozen=True)
class EvidenceMonth:
    month: datetime.date
    yes: int = 0
    partly: int = 0
    no: int = 0
    not_applicable: int = 0
    good: int = 0
    requires_improvement: int = 0
    inadequate: int = 0

    @property
    def answered(self) -> int:
        """Answers that judged the practice: Yes, Partly or No."""
        return self.yes + self.partly + self.no

    @property
    def yes_percent(self) -> int | None:
        return percent(self.yes, self.answered)

    @property
    def graded(self) -> int:
        return self.good + self.requires_improvement + self.inadequate


ANSWER_FIELDS = {
    AnswerValue.YES: "yes",
    AnswerValue.PARTLY: "partly",
    AnswerValue.NO: "no",
    AnswerValue.NOT_APPLICABLE: "not_applicable",
}
GRADE_FIELDS = {
    Grade.GOOD: "good",
    Grade.REQUIRES_IMPROVEMENT: "requires_improvement",
    Grade.INADEQUATE: "inadequate",
}


def evidence_by_month(
    links: dict[int, EvidenceLinks],
    *,
    force_id: int,
    scope: Q,
    start: datetime.date,
    end: datetime.date,
    with_grades: bool = True,
    cutoff: datetime.datetime | None = None,
) -> dict[int, list[EvidenceMonth]]:
    """For each recommendation, its evidence in each month from `start` to `end` that has any,
    oldest first. `scope` filters the audits counted (paths from `audit__round__area`).

    One query for the answers and one for the grades, whatever the amount of data: each
    recommendation is a set of conditional counts in the same grouped query. With a `cutoff`,
    only audits submitted (for answers) or moderated (for grades) by then count, so a report
    compiled again later shows the same figures."""
    linked = {pk: link for pk, link in links.items() if link.codes}
    result: dict[int, dict[datetime.date, dict[str, int]]] = {pk: {} for pk in links}
    if not linked:
        return {pk: [] for pk in links}
    in_rounds = Q(
        audit__round__kind=RoundKind.MONTHLY,
        audit__round__area__force_id=force_id,
        audit__round__month__gte=first_of_month(start),
        audit__round__month__lte=first_of_month(end),
    )
    all_codes = sorted({code for link in linked.values() for code in link.codes})

    counts = {}
    for pk, link in linked.items():
        condition = link.answer_condition()
        for value, name in ANSWER_FIELDS.items():
            counts[f"r{pk}_{name}"] = Count("pk", filter=condition & Q(value=value))
    # A blind audit's answers stay out of every figure until a moderator has graded it blind.
    submitted = Q(audit__state__in=GRADED_STATES) & ~awaiting_blind_grade("audit")
    moderated = Q(audit__state=AuditState.MODERATED)
    if cutoff is not None:
        submitted &= Q(audit__submitted_at__lte=cutoff)
        moderated &= Q(audit__moderated_at__lte=cutoff)
    rows = (
        Answer.objects.filter(in_rounds, scope, question__code__in=all_codes)
        .filter(submitted)
        .values(month=F("audit__round__month"))
        .annotate(**counts)
        .order_by("month")
    )
    for row in rows:
        for pk in linked:
            result[pk].setdefault(row["month"], {}).update(
                {name: row[f"r{pk}_{name}"] for name in ANSWER_FIELDS.values()}
            )

    if with_grades:
        grades = {}
        for pk, link in linked.items():
            tested = Exists(
                Answer.objects.filter(audit_id=OuterRef("audit_id"), question__code__in=link.codes)
                .exclude(value=AnswerValue.NOT_APPLICABLE)
                .order_by()
            )
            condition = Q(tested)
            if link.theme_ids:
                condition &= Q(audit__case__theme_id__in=link.theme_ids)
            for grade, name in GRADE_FIELDS.items():
                grades[f"r{pk}_{name}"] = Count("pk", filter=condition & Q(agreed_grade=grade))
        rows = (
            Moderation.objects.filter(in_rounds, scope)
            .filter(moderated, decision__in=[ModerationDecision.AGREED, ModerationDecision.CHANGED])
            .values(month=F("audit__round__month"))
            .annotate(**grades)
            .order_by("month")
        )
        for row in rows:
            for pk in linked:
                result[pk].setdefault(row["month"], {}).update(
                    {name: row[f"r{pk}_{name}"] for name in GRADE_FIELDS.values()}
                )

    return {
        pk: [
            EvidenceMonth(month=month, **values)
            for month, values in sorted(by_month.items())
            if any(values.values())
        ]
        for pk, by_month in result.items()
    }


@dataclass(frozen=True)
class Trend:
    first: EvidenceMonth | None
    last: EvidenceMonth | None

    @property
    def direction(self) -> str | None:
        if self.first is None or self.last is None or self.first.month == self.last.month:
            return None
        if self.last.yes_percent > self.first.yes_percent:
            return "up"
        if self.last.yes_percent < self.first.yes_percent:
            return "down"
        return "level"


def trend_of(months: Sequence[EvidenceMonth]) -> Trend:
    """The share of Yes in the first and the last month that had any judged answer."""
    judged = [m for m in months if m.answered]
    if not judged:
        return Trend(first=None, last=None)
    return Trend(first=judged[0], last=judged[-1])


# --- Pages --------------------------------------------------------------------------------------


def recommendations_overview(user: User | None = None) -> QuerySet[Recommendation]:
    """Recommendations newest inspection first; only the user's forces' when a user is given."""
    recommendations = visible_recommendations(user) if user else Recommendation.objects.all()
    return (
        recommendations.select_related("inspection")
        .annotate(point_count=Count("points", distinct=True))
        .order_by("-inspection__published_on", "inspection_id", "number")
    )


@dataclass(frozen=True)
class OverviewRow:
    recommendation: Recommendation
    state: PlanState
    overdue_actions: int
    latest_force_rating: Rating | None
    latest_force_on: datetime.date | None
    latest_inspector_rating: Rating | None
    latest_inspector_on: datetime.date | None
    latest_project_reading_rating: Rating | None
    latest_project_reading_on: datetime.date | None
    trend: Trend | None  # None when the user may not read audit results


@dataclass(frozen=True)
class InspectionGroup:
    title: str
    published_on: datetime.date
    rows: list[OverviewRow] = field(default_factory=list)


def overview(user: User, today: datetime.date | None = None) -> list[InspectionGroup]:
    """One line per recommendation, grouped by inspection. A fixed number of queries: the
    recommendations with their plan state and ratings, the evidence links, and the answers."""
    today = today or timezone.localdate()
    recommendations = list(_with_plan_and_ratings(recommendations_overview(user), today))
    scope = evidence_scope(user)
    trends: dict[int, Trend] = {}
    if scope is not None and recommendations:
        links = evidence_links(r.pk for r in recommendations)
        start = add_months(first_of_month(today), -(TREND_MONTHS - 1))
        by_force: dict[int, dict[int, EvidenceLinks]] = {}
        for r in recommendations:
            by_force.setdefault(r.inspection.force_id, {})[r.pk] = links[r.pk]
        for force_id, force_links in by_force.items():
            months = evidence_by_month(
                force_links,
                force_id=force_id,
                scope=scope,
                start=start,
                end=today,
                with_grades=False,
            )
            trends.update({pk: trend_of(found) for pk, found in months.items()})
    groups: dict[int, InspectionGroup] = {}
    for r in recommendations:
        group = groups.setdefault(
            r.inspection_id,
            InspectionGroup(title=r.inspection.title, published_on=r.inspection.published_on),
        )
        group.rows.append(
            OverviewRow(
                recommendation=r,
                state=_plan_state_of(r),
                overdue_actions=r.action_overdue,
                latest_force_rating=_rating(r.latest_force_rating),
                latest_force_on=r.latest_force_on,
                latest_inspector_rating=_rating(r.latest_inspector_rating),
                latest_inspector_on=r.latest_inspector_on,
                latest_project_reading_rating=_rating(r.latest_project_reading_rating),
                latest_project_reading_on=r.latest_project_reading_on,
                trend=trends.get(r.pk) if scope is not None else None,
            )
        )
    return list(groups.values())


@dataclass(frozen=True)
class LinkedQuestion:
    code: str
    text: str | None  # from the newest published question set holding the code


@dataclass(frozen=True)
class RecommendationPage:
    access: RecommendationAccess
    actions: list[RecommendationAction]
    overdue_action_ids: frozenset[int]
    state: PlanState
    meeting_actions: list | None  # None until PVP meeting actions exist in this build
    questions: list[LinkedQuestion]
    themes: list[CaseTheme]
    evidence: list[EvidenceMonth] | None  # None when the user may not read audit results
    trend: Trend | None
    force_assessments: list[ProgressAssessment]
    inspector_assessments: list[ProgressAssessment]
    project_readings: list[ProgressAssessment]  # ours, labelled as not the inspectorate's

    @property
    def recommendation(self) -> Recommendation:
        return self.access.recommendation


def _meeting_actions(recommendation: Recommendation, user: User) -> list | None:
    """Actions agreed at PVP meetings and linked to the recommendation: the central meeting's and
    those of the user's areas. None while the reports app has no meeting actions."""
    related = getattr(recommendation, "meeting_actions", None)
    if related is None:
        return None
    scope = user_scope(user)
    visible = Q(area__isnull=True) | scope.area_filter(*scope.roles, area_field="area")
    return list(
        related.filter(visible).select_related("area").order_by("-meeting_month", "due_on", "pk")
    )


def linked_questions(codes: Sequence[str]) -> list[LinkedQuestion]:
    """Each code with its text from the newest published set that has it: one query."""
    texts: dict[str, str] = {}
    for code, text in (
        Question.objects.filter(code__in=codes, question_set__state=QuestionSetState.PUBLISHED)
        .order_by("code", "-question_set__version")
        .values_list("code", "text")
    ):
        texts.setdefault(code, text)
    return [LinkedQuestion(code=code, text=texts.get(code)) for code in codes]


def recommendation_page(
    user: User, recommendation_id: int, today: datetime.date | None = None
) -> RecommendationPage:
    """Everything the recommendation page shows, in a fixed number of queries."""
    today = today or timezone.localdate()
    access = recommendation_access(
        user,
        recommendation_id,
        Recommendation.objects.prefetch_related(
            "points",
            Prefetch(
                "actions",
                queryset=RecommendationAction.objects.select_related("point").order_by(
                    F("point__order").asc(nulls_first=True), "due_on", "pk"
                ),
            ),
            Prefetch(
                "assessments",
                queryset=ProgressAssessment.objects.select_related("recorded_by").order_by(
                    "-assessed_on", "-recorded_at", "-pk"
                ),
            ),
            Prefetch(
                "evidence_themes",
                queryset=EvidenceTheme.objects.select_related("theme").order_by(
                    "theme__display_order"
                ),
            ),
            "evidence_questions",
        ),
    )
    recommendation = access.recommendation
    actions = list(recommendation.actions.all())
    overdue = frozenset(a.pk for a in actions if a.is_overdue(today))
    state = plan_state(
        total=len(actions),
        complete=sum(1 for a in actions if a.state == ActionState.COMPLETE),
        overdue=len(overdue),
    )
    assessments = list(recommendation.assessments.all())
    links = EvidenceLinks(
        codes=tuple(sorted(q.question_code for q in recommendation.evidence_questions.all())),
        theme_ids=tuple(t.theme_id for t in recommendation.evidence_themes.all()),
    )
    scope = evidence_scope(user)
    evidence = None
    if scope is not None:
        evidence = evidence_by_month(
            {recommendation.pk: links},
            force_id=recommendation.inspection.force_id,
            scope=scope,
            start=add_months(first_of_month(today), -(DETAIL_MONTHS - 1)),
            end=today,
        )[recommendation.pk]
    return RecommendationPage(
        access=access,
        actions=actions,
        overdue_action_ids=overdue,
        state=state,
        meeting_actions=_meeting_actions(recommendation, user),
        questions=linked_questions(links.codes) if links.codes else [],
        themes=[t.theme for t in recommendation.evidence_themes.all()],
        evidence=evidence,
        trend=trend_of(evidence) if evidence is not None else None,
        force_assessments=[a for a in assessments if a.kind == AssessorKind.FORCE],
        inspector_assessments=[a for a in assessments if a.kind == AssessorKind.INSPECTOR],
        project_readings=[a for a in assessments if a.kind == AssessorKind.PROJECT_READING],
    )


# --- The PVP report's summary -------------------------------------------------------------------


@dataclass(frozen=True)
class RecommendationSummary:
    """One recommendation as the PVP report shows it, for one month and one area (or the force).

    The plan state and latest ratings are as they stood at the end of the month (or today, for
    the current month); the evidence counts are that month's monthly audits."""

    recommendation_id: int
    inspection_title: str
    number: int
    heading: str
    timescale: str
    due_on: datetime.date
    state: str
    state_code: str
    overdue_actions: int
    latest_force_rating: str | None
    latest_inspector_rating: str | None  # None where the inspectorate gave no rating
    # Our reading of the inspectorate's findings, to be labelled as such wherever it shows.
    latest_project_reading_rating: str | None
    evidence_yes: int
    evidence_partly: int
    evidence_no: int
    evidence_not_applicable: int
    graded_good: int
    graded_requires_improvement: int
    graded_inadequate: int

    @property
    def evidence_answered(self) -> int:
        return self.evidence_yes + self.evidence_partly + self.evidence_no

    @property
    def evidence_yes_percent(self) -> int | None:
        answered = self.evidence_answered
        return percent(self.evidence_yes, answered)


def report_summary(
    *,
    force_id: int,
    month: datetime.date,
    area_ids: list[int] | None = None,
    today: datetime.date | None = None,
    cutoff: datetime.datetime | None = None,
) -> list[RecommendationSummary]:
    """The recommendations made to a force, for the PVP report of `month`: five queries.

    `area_ids` limits the evidence to those areas' audits; None counts the whole force.
    `cutoff` counts only audits submitted (answers) or moderated (grades) by then. The caller
    decides who may read the report; this does no user scoping."""
    month = first_of_month(month)
    as_of = min(month_end(month), today or timezone.localdate())
    recommendations = list(
        _with_plan_and_ratings(
            Recommendation.objects.filter(inspection__force_id=force_id).select_related(
                "inspection"
            ),
            as_of,
        ).order_by("-inspection__published_on", "inspection_id", "number")
    )
    if not recommendations:
        return []
    scope = Q(audit__round__area_id__in=area_ids) if area_ids is not None else Q()
    evidence = evidence_by_month(
        evidence_links(r.pk for r in recommendations),
        force_id=force_id,
        scope=scope,
        start=month,
        end=month,
        cutoff=cutoff,
    )
    summaries = []
    for r in recommendations:
        found = evidence[r.pk][0] if evidence[r.pk] else EvidenceMonth(month=month)
        state = _plan_state_of(r)
        summaries.append(
            RecommendationSummary(
                recommendation_id=r.pk,
                inspection_title=r.inspection.title,
                number=r.number,
                heading=r.get_heading_display(),
                timescale=r.get_timescale_display(),
                due_on=r.due_on,
                state=state.label,
                state_code=state.code,
                overdue_actions=r.action_overdue,
                latest_force_rating=rating_label(r.latest_force_rating),
                latest_inspector_rating=rating_label(r.latest_inspector_rating),
                latest_project_reading_rating=rating_label(r.latest_project_reading_rating),
                evidence_yes=found.yes,
                evidence_partly=found.partly,
                evidence_no=found.no,
                evidence_not_applicable=found.not_applicable,
                graded_good=found.good,
                graded_requires_improvement=found.requires_improvement,
                graded_inadequate=found.inadequate,
            )
        )
    return summaries


# --- The API ------------------------------------------------------------------------------------


def api_recommendations(
    force_ids: Iterable[int], today: datetime.date | None = None
) -> QuerySet[Recommendation]:
    """Recommendations of the given forces with their plan counts and latest ratings."""
    return _with_plan_and_ratings(
        Recommendation.objects.filter(inspection__force_id__in=list(force_ids)).select_related(
            "inspection"
        ),
        today or timezone.localdate(),
    ).order_by("-inspection__published_on", "inspection_id", "number")


def attach_plan_state(recommendations: Iterable[Recommendation]) -> None:
    """Set `plan_state_code` and `plan_state_label` on rows from `api_recommendations`."""
    for recommendation in recommendations:
        state = _plan_state_of(recommendation)
        recommendation.plan_state_code = state.code
        recommendation.plan_state_label = state.label


def attach_evidence_links(recommendation: Recommendation) -> None:
    """Set the codes of the questions and themes that test it: two queries."""
    recommendation.evidence_question_codes = list(
        recommendation.evidence_questions.order_by("question_code").values_list(
            "question_code", flat=True
        )
    )
    recommendation.evidence_theme_codes = list(
        recommendation.evidence_themes.order_by("theme__display_order").values_list(
            "theme__code", flat=True
        )
    )


@dataclass(frozen=True)
class RecommendationEvidence:
    recommendation: int
    questions: list[LinkedQuestion]
    themes: list[str]
    months: list[EvidenceMonth]


def recommendation_evidence(
    user: User,
    recommendation: Recommendation,
    months: int = DETAIL_MONTHS,
    today: datetime.date | None = None,
) -> RecommendationEvidence | None:
    """The evidence for one recommendation over the last `months` months, within the user's
    scope; None when the user may not read audit results."""
    scope = evidence_scope(user)
    if scope is None:
        return None
    today = today or timezone.localdate()
    links = evidence_links([recommendation.pk])[recommendation.pk]
    found = evidence_by_month(
        {recommendation.pk: links},
        force_id=recommendation.inspection.force_id,
        scope=scope,
        start=add_months(first_of_month(today), -(months - 1)),
        end=today,
    )[recommendation.pk]
    themes = list(
        CaseTheme.objects.filter(pk__in=links.theme_ids)
        .order_by("display_order")
        .values_list("code", flat=True)
    )
    return RecommendationEvidence(
        recommendation=recommendation.pk,
        questions=linked_questions(links.codes) if links.codes else [],
        themes=themes,
        months=found,
    )
