"""Reads, already scoped to what the user may see and shaped to avoid N+1 queries."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as DbCase
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from audit_app.audits import grading
from audit_app.audits.history import HistoryRow, change_history
from audit_app.audits.models import (
    Answer,
    AnswerValue,
    Audit,
    AuditEvent,
    AuditEventKind,
    AuditRound,
    AuditState,
    AuditSubmission,
    BlindGrade,
    EscalationState,
    FindingTheme,
    Grade,
    Moderation,
    ModerationDecision,
    Question,
    QuestionSection,
    QuestionSet,
    RoundKind,
    RoundState,
    SafeguardingEscalation,
)
from audit_app.models import Role, User
from audit_app.months import current_month
from audit_app.permissions import OVERSIGHT_ROLES, user_scope


@dataclass(frozen=True)
class AuditVisibility:
    """What one user may see of one audit.

    `auditor_work`: the auditor's grade and suggested grade, their reason, good practice and areas
    for improvement, their answers and comments, their submissions, and the grades of its earlier
    submissions (in its history and moderation records). `blindness`: that it is moderated blind,
    and the moderators' blind grades.
    """

    auditor_work: bool
    blindness: bool


# The audit's own fields that hold the auditor's work.
AUDITOR_WORK_FIELDS = (
    "grade",
    "suggested_grade",
    "moderated_grade",
    "grade_reason",
    "good_practice",
    "areas_for_improvement",
)


# Annotations `with_visibility` adds; read by `audit_visibility`, never by views directly.
_HIDDEN_WORK = "auditor_work_hidden"


_HIDDEN_BLINDNESS = "blindness_hidden"


_VISIBILITY_FOR = "visibility_for_user_id"


def awaiting_blind_grade(audit_path: str = "") -> Q:
    """Audits moderated blind whose current submission has no moderator's blind grade yet.

    `audit_path` is the path to the audit from the rows filtered ("" for audits, "audit" for rows
    with a foreign key to one)."""
    field = f"{audit_path}__" if audit_path else ""
    submissions = (
        AuditSubmission.objects.filter(audit_id=OuterRef("audit_id"))
        .order_by()
        .values("audit_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    current_blind_grade = BlindGrade.objects.filter(
        audit_id=OuterRef(f"{audit_path}_id" if audit_path else "pk"),
        submission_number=Subquery(submissions),
    )
    return Q(**{f"{field}state": AuditState.SUBMITTED, f"{field}is_blind": True}) & ~Exists(
        current_blind_grade
    )


def with_visibility(rows: QuerySet, user: User | None, audit_path: str = "") -> QuerySet:
    """`rows` (audits, or rows of one audit each at `audit_path`) annotated with what `user` may
    see of their audit, for `audit_visibility`. The one rule, for every page, API, export,
    aggregate, dashboard and report:

    - A submitted audit moderated blind hides the auditor's work (see `AuditVisibility`) from
      everyone but its auditor until a moderator records their own grade of that submission. The
      blind grade belongs to the submission, not to one moderator (any moderator of the area may
      record it and then decide), so every moderator is kept blind. Audit managers, senior leaders
      and inspectors are kept blind too, though the audit manager's page used to show them the
      grade: a user may hold a moderator's role beside theirs, what they read (figures, exports,
      reports) is read by moderators too, and the wait is short. Hidden grades are left out of
      every count. Once the blind grade is recorded, everyone who may read the audit sees it all.
    - The auditor always sees their own work, and is never told that their audit is moderated
      blind (not while it is awaited, not afterwards).

    `user=None` stands for a reader who is not the auditor: everything awaiting is hidden.
    """
    field = f"{audit_path}__" if audit_path else ""
    user_id = user.pk if user is not None else None
    own = Q(**{f"{field}auditor_id": user_id}) if user_id is not None else Q(pk__in=[])
    return rows.annotate(
        **{
            _VISIBILITY_FOR: Value(user_id, output_field=IntegerField()),
            _HIDDEN_WORK: DbCase(
                When(awaiting_blind_grade(audit_path) & ~own, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            _HIDDEN_BLINDNESS: DbCase(
                When(own, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
        }
    )


def audit_visibility(user: User | None, row: object) -> AuditVisibility:
    """What `user` may see of this audit (or of the audit of this row): the rule is
    `with_visibility`'s. Rows annotated by it for this user cost no query; an audit not annotated
    costs one; any other row must be annotated."""
    user_id = user.pk if user is not None else None
    if hasattr(row, _HIDDEN_WORK):
        if getattr(row, _VISIBILITY_FOR) != user_id:
            raise ValueError(f"visibility of {row!r} was read for another user")
        hidden_work, hidden_blindness = getattr(row, _HIDDEN_WORK), getattr(row, _HIDDEN_BLINDNESS)
    elif isinstance(row, Audit):
        hidden_work, hidden_blindness = (
            with_visibility(Audit.objects.filter(pk=row.pk), user)
            .values_list(_HIDDEN_WORK, _HIDDEN_BLINDNESS)
            .get()
        )
    else:
        raise TypeError(f"annotate {type(row).__name__} rows with with_visibility() first")
    return AuditVisibility(auditor_work=not hidden_work, blindness=not hidden_blindness)


def hidden_work_q() -> Q:
    """Rows annotated by `with_visibility` whose auditor's work is hidden from the reader."""
    return Q(**{_HIDDEN_WORK: True})


def with_visible_work(audits: QuerySet[Audit]) -> QuerySet[Audit]:
    """Of `audits` (annotated by `with_visibility`), those whose auditor's work the reader may
    see: what figures count."""
    return audits.exclude(hidden_work_q())


def hide_unseen_work(audit: Audit, visibility: AuditVisibility) -> Audit:
    """Blank, on this in-memory copy only, what the reader may not see, for templates that show
    the audit's fields directly. Never save an audit that went through here."""
    if not visibility.auditor_work:
        for name in AUDITOR_WORK_FIELDS:
            setattr(audit, name, "")
    if not visibility.blindness:
        audit.is_blind = False
    return audit


def as_seen_by(audits: QuerySet[Audit], user: User | None) -> list[Audit]:
    """`audits` (annotated by `with_visibility` for `user`) with what the user may not see of each
    blanked, for pages that list them."""
    return [hide_unseen_work(audit, audit_visibility(user, audit)) for audit in audits]


def audit_events(audit: Audit, visibility: AuditVisibility) -> list[AuditEvent]:
    """The audit's history as the reader may see it: no blind-grade events for a reader kept from
    the blindness, and no grades for a reader kept from the auditor's work."""
    events = audit.events.select_related("actor").order_by("at", "pk")
    if not visibility.blindness:
        events = events.exclude(kind=AuditEventKind.BLIND_GRADED)
    events = list(events)
    if not visibility.auditor_work:
        for event in events:
            if event.kind != AuditEventKind.BLIND_GRADED:
                event.grade = ""
    return events


def audit_changes(audit: Audit, visibility: AuditVisibility) -> list[HistoryRow]:
    """The audit's change history, without the blindness for a reader kept from it."""
    hidden = set() if visibility.blindness else {"is_blind"}
    return change_history(audit, hidden_fields=hidden)


def audit_submissions(audit: Audit, visibility: AuditVisibility) -> QuerySet[AuditSubmission]:
    """The audit's submissions (each with its grade), or none for a reader kept from them."""
    if not visibility.auditor_work:
        return audit.submissions.none()
    return audit.submissions.select_related("submitted_by")


def _auditors_own(user: User) -> Q:
    """The audits an auditor may open: allocated to them, in a round that has been opened."""
    return Q(auditor=user) & ~Q(round__state=RoundState.DRAFT)


def auditor_audits(user: User) -> QuerySet[Audit]:
    """Every audit allocated to this auditor, newest round first, with what the task list shows."""
    return with_visibility(
        Audit.objects.filter(_auditors_own(user))
        .select_related("case__theme", "case__team", "round__area")
        .order_by("-round__month", "round__due_date", "case__reference"),
        user,
    )


# The order of the auditor's open work: sent back first, then begun, then not begun, then done.
_AUDITOR_STATE_ORDER = (AuditState.RETURNED, AuditState.IN_PROGRESS, AuditState.NOT_STARTED)


def auditor_current_audits(user: User, *, today: datetime.date | None = None) -> QuerySet[Audit]:
    """The auditor's audits in rounds open now for this month or earlier: this month's round
    first; within it returned, then in progress, then not started, then the rest; then by due
    date. Open rounds for later months: `auditor_next_audits`."""
    this_month = current_month(today)
    state_rank = DbCase(
        *(When(state=state, then=Value(rank)) for rank, state in enumerate(_AUDITOR_STATE_ORDER)),
        default=Value(len(_AUDITOR_STATE_ORDER)),
        output_field=IntegerField(),
    )
    other_month = DbCase(
        When(round__month=this_month, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        auditor_audits(user)
        .filter(round__state=RoundState.OPEN, round__month__lte=this_month)
        .order_by(other_month, state_rank, "round__due_date", "-round__month", "case__reference")
    )


def auditor_next_audits(user: User, *, today: datetime.date | None = None) -> QuerySet[Audit]:
    """The auditor's audits in open rounds for a month after this one, soonest first."""
    return (
        auditor_audits(user)
        .filter(round__state=RoundState.OPEN, round__month__gt=current_month(today))
        .order_by("round__month", "round__due_date", "case__reference")
    )


def audits_awaiting_moderation(user: User) -> QuerySet[Audit]:
    """Submitted audits in the moderator's areas, oldest submission first, never their own."""
    scope = user_scope(user)
    return with_visibility(
        Audit.objects.filter(scope.area_filter(Role.MODERATOR, area_field="round__area"))
        .filter(state=AuditState.SUBMITTED)
        .exclude(auditor=user)
        .select_related("case__theme", "case__team", "round__area", "auditor")
        .order_by("submitted_at"),
        user,
    )


def open_escalations(user: User) -> QuerySet[SafeguardingEscalation]:
    """Open safeguarding escalations the user must see: moderators, managers and senior leaders."""
    scope = user_scope(user)
    return (
        SafeguardingEscalation.objects.filter(state=EscalationState.OPEN)
        .filter(
            scope.area_filter(
                Role.MODERATOR,
                Role.AUDIT_MANAGER,
                Role.SENIOR_LEADER,
                area_field="audit__round__area",
            )
        )
        .select_related("audit__case", "audit__round__area")
        .order_by("respond_by")
    )


def questions_for_theme(question_set_id: int, theme_id: int) -> QuerySet:
    """The questions of a set that apply to a case theme: those for every theme, and its own."""
    return (
        Question.objects.filter(question_set_id=question_set_id)
        .filter(Q(applies_to_themes__isnull=True) | Q(applies_to_themes=theme_id))
        .select_related("section")
        .distinct()
        .order_by("number")
    )


@functools.lru_cache(maxsize=512)
def _published_questions(question_set_id: int, published_at: datetime.datetime, theme_id: int):
    return tuple(questions_for_theme(question_set_id, theme_id))


def walk_questions(question_set: QuestionSet, theme_id: int) -> list[Question]:
    """The questions an audit walks. A published set never changes, so its lists are kept in
    memory (keyed by publication time too, so a reused id can never return another set's)."""
    if question_set.is_editable or question_set.published_at is None:
        return list(questions_for_theme(question_set.pk, theme_id))
    return list(_published_questions(question_set.pk, question_set.published_at, theme_id))


EDITABLE_AUDIT_STATES = (AuditState.NOT_STARTED, AuditState.IN_PROGRESS, AuditState.RETURNED)


def audit_is_editable(audit: Audit) -> bool:
    """The auditor may change answers: not yet submitted (or returned), in a round still open."""
    return audit.state in EDITABLE_AUDIT_STATES and audit.round.state == RoundState.OPEN


def audit_for_auditor(user: User, audit_id: int) -> Audit:
    """The audit if it is allocated to this user in a round that has opened; 404 otherwise,
    whoever asks."""
    return get_object_or_404(
        with_visibility(Audit.objects.filter(_auditors_own(user)), user).select_related(
            "case__theme",
            "case__team",
            "case__officer_in_case",
            "case__supervisor",
            "round__area",
            "question_set",
            "auditor",
        ),
        pk=audit_id,
    )


def audit_for_reader(user: User, audit_id: int) -> Audit:
    """The audit for its auditor (once its round has opened), or read-only for an audit manager
    over its area; else 404. What the reader may see of it: `audit_visibility`."""
    scope = user_scope(user)
    visible = _auditors_own(user) | scope.area_filter(Role.AUDIT_MANAGER, area_field="round__area")
    return get_object_or_404(
        with_visibility(Audit.objects.filter(visible), user).select_related(
            "case__theme",
            "case__team",
            "case__officer_in_case",
            "case__supervisor",
            "round__area",
            "question_set",
            "auditor",
        ),
        pk=audit_id,
    )


@dataclass
class SectionProgress:
    section: QuestionSection
    questions: list[Question]
    answers: dict[int, Answer]

    @property
    def answered(self) -> int:
        return sum(1 for q in self.questions if q.pk in self.answers)

    @property
    def is_complete(self) -> bool:
        return self.answered == len(self.questions)

    @property
    def status(self) -> str:
        if self.is_complete:
            return "Completed"
        return "In progress" if self.answered else "Not started"


@dataclass
class AuditWalk:
    """The audit's applicable questions by section, with its saved answers: two queries."""

    audit: Audit
    sections: list[SectionProgress]

    @property
    def is_complete(self) -> bool:
        return all(section.is_complete for section in self.sections)

    def section(self, code: str) -> SectionProgress | None:
        return next((s for s in self.sections if s.section.code == code), None)

    def next_section(self, code: str) -> SectionProgress | None:
        codes = [s.section.code for s in self.sections]
        index = codes.index(code)
        return self.sections[index + 1] if index + 1 < len(codes) else None


def audit_walk(audit: Audit, *, with_answers: bool = True) -> AuditWalk:
    """The audit's questions by section with its answers; `with_answers=False` for a reader kept
    from the auditor's work (`audit_visibility`): the questions alone."""
    questions = walk_questions(audit.question_set, audit.case.theme_id)
    answers = {answer.question_id: answer for answer in audit.answers.all()} if with_answers else {}
    by_section: dict[int, SectionProgress] = {}
    for question in questions:
        progress = by_section.setdefault(
            question.section_id, SectionProgress(section=question.section, questions=[], answers={})
        )
        progress.questions.append(question)
        if question.pk in answers:
            progress.answers[question.pk] = answers[question.pk]
    sections = sorted(by_section.values(), key=lambda p: p.section.display_order)
    return AuditWalk(audit=audit, sections=sections)


@dataclass(frozen=True)
class WalkGrading:
    """What the question set's grading rules make of a walk: which of its questions are
    critical, the suggested grade, and the answers that drove it."""

    critical_ids: frozenset[int]
    suggested: Grade
    reasons: list[grading.Reason]


def walk_grading(walk: AuditWalk) -> WalkGrading:
    """The set's rules applied to the walk's questions and answers: one query for the rules."""
    rules = [
        grading.Rule(rule.answer, rule.scope, rule.suggests)
        for rule in walk.audit.question_set.suggestion_rules.all()
    ]
    questions = [question for section in walk.sections for question in section.questions]
    given = [
        grading.GivenAnswer(value=answer.value, is_critical=question.is_critical, question=question)
        for section in walk.sections
        for question in section.questions
        if (answer := section.answers.get(question.pk))
    ]
    reasons = grading.grade_reasons(given, rules)
    return WalkGrading(
        critical_ids=frozenset(
            question.pk
            for question in questions
            if grading.is_critical(marked_critical=question.is_critical, rules=rules)
        ),
        # The reasons are the answers giving the worst grade: that grade is the suggestion.
        suggested=reasons[0].suggests if reasons else Grade.GOOD,
        reasons=reasons,
    )


@dataclass(frozen=True)
class AnswerToReview:
    """One question of the walk with the auditor's answer, as the moderator reads it."""

    section: QuestionSection
    question: Question
    answer: Answer | None
    is_critical: bool

    @property
    def is_failed(self) -> bool:
        return self.answer is not None and grading.is_failed(self.answer.value)


@dataclass(frozen=True)
class SectionAnswers:
    section: QuestionSection
    rows: list[AnswerToReview]


@dataclass(frozen=True)
class ModerationAnswers:
    """The walk's answers for the moderator: those to look at first (a failing answer, or any
    answer to a critical question), then the rest by section."""

    to_look_at: list[AnswerToReview]
    others: list[SectionAnswers]


def moderation_answers(walk: AuditWalk, walk_grading: WalkGrading) -> ModerationAnswers:
    """The walk's answers sorted for the moderator, in question order within each part; no
    query."""
    to_look_at: list[AnswerToReview] = []
    others: list[SectionAnswers] = []
    for progress in walk.sections:
        rest = []
        for question in progress.questions:
            row = AnswerToReview(
                section=progress.section,
                question=question,
                answer=progress.answers.get(question.pk),
                is_critical=question.pk in walk_grading.critical_ids,
            )
            if row.is_failed or (row.is_critical and row.answer is not None):
                to_look_at.append(row)
            else:
                rest.append(row)
        if rest:
            others.append(SectionAnswers(section=progress.section, rows=rest))
    return ModerationAnswers(to_look_at=to_look_at, others=others)


@dataclass(frozen=True)
class ThemeEvidence:
    """A failing answer to a question mapped to a finding theme."""

    question: Question
    value: str

    @property
    def answer_label(self) -> str:
        return AnswerValue(self.value).label


@dataclass(frozen=True)
class ThemeSuggestion:
    theme: FindingTheme
    evidence: list[ThemeEvidence]

    @property
    def hint(self) -> str:
        """'Suggested because question 7 was Partly and question 9 was No'."""
        parts = [f"question {e.question.number} was {e.answer_label}" for e in self.evidence]
        listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
        return f"Suggested because {listed}"


def suggested_finding_themes(walk: AuditWalk) -> list[ThemeSuggestion]:
    """The themes on the list (controlled and still offered) any of whose mapped questions was
    given a failing answer in this walk, by name; one query."""
    failed = {
        question.code: ThemeEvidence(question=question, value=answer.value)
        for progress in walk.sections
        for question in progress.questions
        if (answer := progress.answers.get(question.pk)) and grading.is_failed(answer.value)
    }
    suggestions = []
    for theme in FindingTheme.objects.filter(is_controlled=True, is_active=True).order_by("name"):
        evidence = sorted(
            (failed[code] for code in set(theme.evidence_question_codes or []) if code in failed),
            key=lambda found: found.question.number,
        )
        if evidence:
            suggestions.append(ThemeSuggestion(theme=theme, evidence=evidence))
    return suggestions


@dataclass(frozen=True)
class ThemeMapRow:
    """A theme on the list with the questions of the current set that suggest it."""

    theme: FindingTheme
    questions: list[Question]


def finding_theme_map(question_set: QuestionSet) -> list[ThemeMapRow]:
    """Every theme on the list (controlled, still offered) with its mapped questions of
    `question_set`, by name; two queries."""
    by_code = {
        question.code: question
        for question in question_set.questions.select_related("section").order_by("number")
    }
    return [
        ThemeMapRow(
            theme=theme,
            questions=sorted(
                (
                    by_code[code]
                    for code in set(theme.evidence_question_codes or [])
                    if code in by_code
                ),
                key=lambda question: question.number,
            ),
        )
        for theme in FindingTheme.objects.filter(is_controlled=True, is_active=True).order_by(
            "name"
        )
    ]


def mappable_finding_theme(theme_id: object) -> FindingTheme:
    """A theme whose questions the audit manager may map (on the list, still offered); 404
    otherwise."""
    if not str(theme_id).isdigit() or len(str(theme_id)) > 12:
        raise Http404("No such theme on the list.")
    return get_object_or_404(
        FindingTheme.objects.filter(is_controlled=True, is_active=True), pk=int(theme_id)
    )


@dataclass(frozen=True)
class QueueRow:
    """An audit of the moderation queue as the moderator may see it."""

    audit: Audit
    grade_hidden: bool
    days_waiting: int | None  # since submission, while it waits for moderation


def moderation_queue_rows(
    audits: QuerySet[Audit], user: User, *, today: datetime.date | None = None
) -> list[QueueRow]:
    """`audits` (from `moderation_queue` for `user`) with the auditor's grade blanked where the
    user may not see it yet (`audit_visibility`) and the days each submitted one has waited; no
    query beyond the queue's own."""
    today = today or timezone.localdate()
    rows = []
    for audit in audits:
        visibility = audit_visibility(user, audit)
        waiting = None
        if audit.state == AuditState.SUBMITTED and audit.submitted_at is not None:
            waiting = max((today - timezone.localdate(audit.submitted_at)).days, 0)
        rows.append(
            QueueRow(
                audit=hide_unseen_work(audit, visibility),
                grade_hidden=not visibility.auditor_work,
                days_waiting=waiting,
            )
        )
    return rows


def latest_return(audit: Audit) -> Moderation | None:
    """The moderator's most recent return of this audit, if the audit is back with its auditor."""
    if audit.state != AuditState.RETURNED:
        return None
    return (
        audit.moderations.filter(decision=ModerationDecision.RETURNED)
        .select_related("moderator")
        .order_by("-created_at")
        .first()
    )


def escalation_recipients(area_id: int) -> QuerySet[User]:
    """Who hears of a safeguarding escalation at once: the area's moderators and audit managers."""
    area_roles = Q(
        role_assignments__role__in=[Role.MODERATOR, Role.AUDIT_MANAGER],
        role_assignments__area_id=area_id,
    )
    force_wide_managers = Q(
        role_assignments__role=Role.AUDIT_MANAGER,
        role_assignments__area__isnull=True,
        role_assignments__force__areas__id=area_id,
    )
    return User.objects.filter(is_active=True).filter(area_roles | force_wide_managers).distinct()


def escalation_for_user(user: User, escalation_id: int) -> SafeguardingEscalation:
    """The escalation for the auditor who raised it or the area's moderators, managers and
    senior leaders; 404 for anyone else."""
    scope = user_scope(user)
    visible = Q(raised_by=user) | scope.area_filter(
        Role.MODERATOR, Role.AUDIT_MANAGER, Role.SENIOR_LEADER, area_field="audit__round__area"
    )
    return get_object_or_404(
        SafeguardingEscalation.objects.filter(visible).select_related(
            "audit__case__theme",
            "audit__case__team",
            "audit__round__area",
            "raised_by",
            "responded_by",
        ),
        pk=escalation_id,
    )


def may_respond_to_escalation(user: User, escalation: SafeguardingEscalation) -> bool:
    scope = user_scope(user)
    return SafeguardingEscalation.objects.filter(
        scope.area_filter(Role.MODERATOR, Role.AUDIT_MANAGER, area_field="audit__round__area"),
        pk=escalation.pk,
    ).exists()


MODERATION_QUEUE_STATES = (AuditState.SUBMITTED, AuditState.RETURNED, AuditState.MODERATED)


def moderation_queue(
    user: User,
    *,
    state: str = "",
    theme_id: int | None = None,
    team_type: str = "",
    auditor_id: int | None = None,
    round_id: int | None = None,
) -> QuerySet[Audit]:
    """Audits of the moderator's areas that have reached moderation, filtered, oldest first."""
    scope = user_scope(user)
    audits = with_visibility(
        Audit.objects.filter(
            scope.area_filter(Role.MODERATOR, area_field="round__area"),
            state__in=[state] if state else MODERATION_QUEUE_STATES,
        ),
        user,
    )
    if theme_id:
        audits = audits.filter(case__theme_id=theme_id)
    if team_type:
        audits = audits.filter(case__team__team_type=team_type)
    if auditor_id:
        audits = audits.filter(auditor_id=auditor_id)
    if round_id:
        audits = audits.filter(round_id=round_id)
    waiting_first = DbCase(
        When(state=AuditState.SUBMITTED, then=Value(0)),
        When(state=AuditState.RETURNED, then=Value(1)),
        default=Value(2),
    )
    return audits.select_related("case__theme", "case__team", "round__area", "auditor").order_by(
        waiting_first, "submitted_at", "pk"
    )


def auditors_in_moderation_scope(user: User) -> QuerySet[User]:
    scope = user_scope(user)
    return (
        User.objects.filter(
            role_assignments__role=Role.AUDITOR,
        )
        .filter(scope.area_filter(Role.MODERATOR, area_field="role_assignments__area"))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def audit_for_moderator(user: User, audit_id: int) -> Audit:
    """An audit of the moderator's areas that has reached moderation; 404 otherwise. What the
    moderator may see of it: `audit_visibility`."""
    scope = user_scope(user)
    return get_object_or_404(
        with_visibility(
            Audit.objects.filter(
                scope.area_filter(Role.MODERATOR, area_field="round__area"),
                state__in=MODERATION_QUEUE_STATES,
            ),
            user,
        ).select_related(
            "case__theme",
            "case__team",
            "case__officer_in_case",
            "case__supervisor",
            "round__area",
            "question_set",
            "auditor",
        ),
        pk=audit_id,
    )


def audit_history(audit: Audit) -> QuerySet:
    return audit.events.select_related("actor").order_by("at", "pk")


def audit_moderations(audit: Audit, user: User | None) -> QuerySet[Moderation]:
    """The audit's moderation decisions, annotated with what `user` may see of them."""
    return with_visibility(
        audit.moderations.select_related("moderator")
        .prefetch_related("themes")
        .order_by("created_at", "pk"),
        user,
        audit_path="audit",
    )


def moderations_for(user: User, roles: tuple[str, ...]) -> QuerySet[Moderation]:
    """Moderation decisions in the areas where the user holds any of `roles`, annotated with
    what the user may see of each."""
    return with_visibility(
        Moderation.objects.filter(
            user_scope(user).area_filter(*roles, area_field="audit__round__area")
        ),
        user,
        audit_path="audit",
    )


@dataclass(frozen=True)
class AgreementRow:
    label: str
    audits: int
    agreed: int
    graded_down: int  # the moderator's grade was worse than the auditor's
    graded_up: int  # the moderator's grade was better
    kappa: float | None

    @property
    def agreement_percent(self) -> float | None:
        return 100 * self.agreed / self.audits if self.audits else None

    @property
    def reliable(self) -> bool:
        return self.audits >= MIN_AUDITS_FOR_KAPPA


MIN_AUDITS_FOR_KAPPA = 20


def final_moderations(user: User, start: datetime.date, end: datetime.date) -> QuerySet[Moderation]:
    """Agreed or changed grades of moderated audits in the user's areas, in rounds of the period."""
    scope = user_scope(user)
    return (
        Moderation.objects.filter(
            scope.area_filter(
                Role.MODERATOR,
                Role.SENIOR_LEADER,
                Role.AUDIT_MANAGER,
                Role.INSPECTOR,
                area_field="audit__round__area",
            ),
            decision__in=[ModerationDecision.AGREED, ModerationDecision.CHANGED],
            audit__round__month__gte=start,
            audit__round__month__lte=end,
            audit__round__kind=RoundKind.MONTHLY,
        )
        .values_list(
            "original_grade",
            "agreed_grade",
            "is_blind",
            "blind_grade",
            "auditor_id",
            "auditor__first_name",
            "auditor__last_name",
            "auditor__username",
            "audit__round__area__name",
        )
        .order_by()
    )


def consistency(
    user: User, start: datetime.date, end: datetime.date
) -> dict[str, list[AgreementRow]]:
    """How often moderators agreed with auditors, which way changes went, and weighted kappa,
    per auditor and per area; blind moderations compared with the moderator's own first grade."""
    from audit_app.statistics import weighted_kappa

    grades = [Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE]
    rank = {grade: i for i, grade in enumerate(grades)}
    groups: dict[str, dict[str, list[tuple[str, str]]]] = {"auditor": {}, "area": {}, "blind": {}}
    for (
        original,
        agreed,
        blind,
        blind_grade,
        _aid,
        first,
        last,
        username,
        area,
    ) in final_moderations(user, start, end):
        name = f"{first} {last}".strip() or username
        groups["auditor"].setdefault(name, []).append((original, agreed))
        groups["area"].setdefault(area, []).append((original, agreed))
        groups["area"].setdefault("All areas", []).append((original, agreed))
        if blind and blind_grade:
            groups["blind"].setdefault("Blind moderations", []).append((original, blind_grade))

    def row(label: str, pairs: list[tuple[str, str]]) -> AgreementRow:
        return AgreementRow(
            label=label,
            audits=len(pairs),
            agreed=sum(1 for a, b in pairs if a == b),
            graded_down=sum(1 for a, b in pairs if rank[b] > rank[a]),
            graded_up=sum(1 for a, b in pairs if rank[b] < rank[a]),
            kappa=weighted_kappa(pairs, grades),
        )

    return {
        kind: [row(label, pairs) for label, pairs in sorted(found.items())]
        for kind, found in groups.items()
    }


def rounds_for(user: User) -> QuerySet[AuditRound]:
    """Rounds the user may read as a manager, moderator, senior leader or inspector."""
    return AuditRound.objects.filter(user_scope(user).area_filter(*OVERSIGHT_ROLES))
