"""The audit's models: the versioned question set with its grading rules (all data), rounds,
cases, audits and their answers, moderation, finding themes, feedback and safeguarding escalations.

A case holds a records-system reference and never a child's personal data.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from simple_history.models import HistoricalRecords

from audit_app.models import Area, CaseTheme, StaffMember, Team


class Grade(models.TextChoices):
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


# Worst last: a suggestion takes the worst grade any matching rule gives.
GRADE_SEVERITY = {Grade.GOOD: 0, Grade.REQUIRES_IMPROVEMENT: 1, Grade.INADEQUATE: 2}


class AnswerValue(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"
    NOT_APPLICABLE = "na", "Not applicable"


ANSWERS_NEEDING_COMMENT = (AnswerValue.PARTLY, AnswerValue.NO)


def default_answer_options() -> list[str]:
    return list(AnswerValue.values)


class QuestionSetState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class QuestionSet(models.Model):
    """A version of the audit questions. Once published it never changes; audits pin it."""

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    state = models.CharField(
        max_length=12, choices=QuestionSetState.choices, default=QuestionSetState.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        db_table = "audit_app_questionset"
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=QuestionSetState.values), name="question_set_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(published_at__isnull=False),
                name="question_set_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Question set v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.state == QuestionSetState.DRAFT


class QuestionSetContent(models.Model):
    """Base for rows that belong to a question set: refuse changes once the set is published."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._refuse_if_published()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_published()
        return super().delete(*args, **kwargs)

    def owning_question_set(self) -> QuestionSet:
        raise NotImplementedError

    def _refuse_if_published(self) -> None:
        question_set = self.owning_question_set()
        if not question_set.is_editable:
            raise ValidationError(
                f"{question_set} is {question_set.get_state_display().lower()} and cannot change; "
                "publish a new version instead."
            )


class QuestionSection(QuestionSetContent):
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(max_length=4, help_text="A, B, C…")
    title = models.CharField(max_length=200)
    display_order = models.PositiveSmallIntegerField()

    class Meta:
        db_table = "audit_app_questionsection"
        ordering = ["question_set", "display_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["question_set", "code"], name="section_code_unique_in_set"
            ),
            models.UniqueConstraint(
                fields=["question_set", "display_order"], name="section_order_unique_in_set"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    def owning_question_set(self) -> QuestionSet:
        return self.question_set


class Question(QuestionSetContent):
    section = models.ForeignKey(QuestionSection, on_delete=models.CASCADE, related_name="questions")
    # Denormalised from the section so a question's code is unique in its set at the database.
    question_set = models.ForeignKey(
        QuestionSet, on_delete=models.CASCADE, related_name="questions"
    )
    code = models.CharField(max_length=12, help_text="Stable code analysts see, e.g. Q07.")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    guidance = models.TextField(blank=True)
    is_critical = models.BooleanField(default=False)
    answer_options = models.JSONField(default=default_answer_options)
    applies_to_themes = models.ManyToManyField(
        CaseTheme,
        blank=True,
        related_name="questions",
        help_text="Leave empty when the question applies to every theme.",
        db_table="audit_app_question_applies_to_themes",
    )

    class Meta:
        db_table = "audit_app_question"
        ordering = ["question_set", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question_set", "code"], name="question_code_unique"),
            models.UniqueConstraint(
                fields=["question_set", "number"], name="question_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"

    def owning_question_set(self) -> QuestionSet:
        return self.question_set

    def clean(self) -> None:
        if self.section_id and self.section.question_set_id != self.question_set_id:
            raise ValidationError("A question belongs to the same set as its section.")
        unknown = set(self.answer_options or []) - set(AnswerValue.values)
        if unknown:
            raise ValidationError({"answer_options": f"Unknown answer options: {sorted(unknown)}"})


class RuleScope(models.TextChoices):
    CRITICAL = "critical", "A critical question"
    ANY = "any", "Any question"


class GradeSuggestionRule(QuestionSetContent):
    """'An answer of X on a question in scope Y suggests grade Z', kept as data with its set."""

    question_set = models.ForeignKey(
        QuestionSet, on_delete=models.CASCADE, related_name="suggestion_rules"
    )
    answer = models.CharField(max_length=8, choices=AnswerValue.choices)
    scope = models.CharField(max_length=10, choices=RuleScope.choices)
    suggests = models.CharField(max_length=24, choices=Grade.choices)

    class Meta:
        db_table = "audit_app_gradesuggestionrule"
        ordering = ["question_set", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question_set", "answer", "scope"], name="suggestion_rule_unique"
            ),
            models.CheckConstraint(
                condition=Q(answer__in=AnswerValue.values) & ~Q(answer="na"),
                name="suggestion_rule_answer_valid",
            ),
            models.CheckConstraint(
                condition=Q(suggests__in=Grade.values), name="suggestion_rule_grade_valid"
            ),
            models.CheckConstraint(
                condition=Q(scope__in=RuleScope.values), name="suggestion_rule_scope_valid"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_answer_display()} on {self.get_scope_display().lower()} "
            f"suggests {self.get_suggests_display().lower()}"
        )

    def owning_question_set(self) -> QuestionSet:
        return self.question_set


COMMENT_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 5000


class RoundKind(models.TextChoices):
    MONTHLY = "monthly", "Monthly force audit"
    INSPECTION = "inspection", "Inspection audit"


class RoundState(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    REPORTED = "reported", "Reported"


class AuditRound(models.Model):
    """One area's audit for one month (or an inspector's own round, kept apart from the figures)."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="rounds")
    month = models.DateField(help_text="The first day of the month audited.")
    kind = models.CharField(max_length=12, choices=RoundKind.choices, default=RoundKind.MONTHLY)
    state = models.CharField(max_length=10, choices=RoundState.choices, default=RoundState.DRAFT)
    due_date = models.DateField()
    selection_seed = models.BigIntegerField(null=True, blank=True)
    # Monthly rounds take one case per theme; an inspector's round may take more (30 in 2018).
    cases_per_theme = models.PositiveSmallIntegerField(default=1)
    force_interest_theme = models.ForeignKey(
        CaseTheme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The theme the force-interest case is drawn from this month.",
    )
    force_interest_topic = models.CharField(max_length=200, blank=True)
    selected_at = models.DateTimeField(null=True, blank=True)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set when the round is closed with audits unfinished, after the manager confirmed it.
    closed_unfinished = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(table_name="audit_app_historicalauditround")

    class Meta:
        db_table = "audit_app_auditround"
        ordering = ["-month", "area__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "month"],
                condition=Q(kind="monthly"),
                name="one_monthly_round_per_area_and_month",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="round_month_is_first_day"),
            models.CheckConstraint(
                condition=Q(state__in=RoundState.values), name="round_state_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=RoundKind.values), name="round_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.area.name} {self.month:%B %Y}"


class Case(models.Model):
    """A case from the force's records system, known only by its reference."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=40, help_text="The records-system reference.")
    theme = models.ForeignKey(CaseTheme, on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    station = models.CharField(max_length=80, blank=True)
    officer_in_case = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, null=True, blank=True, related_name="cases_as_oic"
    )
    supervisor = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_as_supervisor",
    )
    occurred_on = models.DateField(help_text="When the incident or referral was recorded.")
    closed_on = models.DateField(null=True, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(table_name="audit_app_historicalcase")

    class Meta:
        db_table = "audit_app_case"
        ordering = ["reference"]
        constraints = [
            # References are compared without regard to case: WE-1001 and we-1001 are one case.
            models.UniqueConstraint(
                "area", Upper("reference"), name="case_reference_unique_ignoring_case"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("occurred_on")),
                name="case_closed_after_occurred",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class AuditState(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned with comments"
    MODERATED = "moderated", "Moderated"


GRADED_STATES = (AuditState.SUBMITTED, AuditState.MODERATED)


class Audit(models.Model):
    """One auditor's audit of one case in one round, pinned to the question set it began with."""

    round = models.ForeignKey(AuditRound, on_delete=models.PROTECT, related_name="audits")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="audits")
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audits"
    )
    question_set = models.ForeignKey(QuestionSet, on_delete=models.PROTECT, related_name="audits")
    state = models.CharField(
        max_length=12, choices=AuditState.choices, default=AuditState.NOT_STARTED
    )
    grade = models.CharField(max_length=24, choices=Grade.choices, blank=True)
    suggested_grade = models.CharField(max_length=24, choices=Grade.choices, blank=True)
    # The grade after moderation (agreed or changed), kept here so figures are counted in one
    # pass; the Moderation rows hold the history.
    moderated_grade = models.CharField(max_length=24, choices=Grade.choices, blank=True)
    grade_reason = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    good_practice = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    areas_for_improvement = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    # Bumped on every save of the audit or its answers, so two tabs cannot overwrite each other.
    revision = models.PositiveIntegerField(default=0)
    # Chosen at random on submission, at the share the audit manager sets: the moderator grades
    # before seeing the auditor's grade and answers.
    is_blind = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    # When the audit manager and moderator were told it is overdue, so they are told once.
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)

    # The revision is bumped with F(), which a history row cannot copy; it is bookkeeping.
    history = HistoricalRecords(
        table_name="audit_app_historicalaudit", excluded_fields=["revision"]
    )

    class Meta:
        db_table = "audit_app_audit"
        ordering = ["round", "case__reference"]
        constraints = [
            models.UniqueConstraint(fields=["round", "case"], name="one_audit_per_case_per_round"),
            models.CheckConstraint(
                condition=Q(state__in=AuditState.values), name="audit_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(grade="") | Q(grade__in=Grade.values), name="audit_grade_valid"
            ),
            models.CheckConstraint(
                condition=Q(suggested_grade="") | Q(suggested_grade__in=Grade.values),
                name="audit_suggested_grade_valid",
            ),
            models.CheckConstraint(
                condition=Q(moderated_grade="") | Q(moderated_grade__in=Grade.values),
                name="audit_moderated_grade_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=GRADED_STATES)
                | (~Q(grade="") & Q(submitted_at__isnull=False)),
                name="submitted_audit_has_grade",
            ),
        ]
        indexes = [
            models.Index(fields=["auditor", "state"]),
            models.Index(fields=["state", "moderated_grade"]),
        ]

    def __str__(self) -> str:
        return f"Audit {self.pk} of case {self.case.reference}"

    @property
    def is_overdue(self) -> bool:
        """Past the round's due date and not yet submitted."""
        return self.state not in GRADED_STATES and self.round.due_date < timezone.localdate()


class Answer(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.CharField(max_length=8, choices=AnswerValue.choices)
    comment = models.TextField(blank=True, max_length=COMMENT_MAX_LENGTH)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(table_name="audit_app_historicalanswer")

    class Meta:
        db_table = "audit_app_answer"
        ordering = ["audit", "question__number"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "question"], name="one_answer_per_question"),
            models.CheckConstraint(
                condition=Q(value__in=AnswerValue.values), name="answer_value_valid"
            ),
            models.CheckConstraint(
                condition=~Q(value__in=ANSWERS_NEEDING_COMMENT) | ~Q(comment=""),
                name="answer_partly_or_no_has_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.get_value_display()}"


class AuditSubmission(models.Model):
    """One submission of an audit, kept whole: an audit returned and resubmitted has several."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveSmallIntegerField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    grade = models.CharField(max_length=24, choices=Grade.choices)
    suggested_grade = models.CharField(max_length=24, choices=Grade.choices)
    grade_reason = models.TextField(blank=True)
    good_practice = models.TextField(blank=True)
    areas_for_improvement = models.TextField(blank=True)
    # {question code: {"value": ..., "comment": ...}} as submitted.
    answers = models.JSONField(default=dict)

    class Meta:
        db_table = "audit_app_auditsubmission"
        ordering = ["audit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="submission_number_unique"),
            models.CheckConstraint(
                condition=Q(grade__in=Grade.values), name="submission_grade_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Submission {self.number} of audit {self.audit_id}"


class FindingTheme(models.Model):
    """A theme a moderator finds across audits, e.g. 'supervision lacking'.

    The audit manager keeps the controlled list; moderators may add free ones for promotion later.
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    is_controlled = models.BooleanField(
        default=True, help_text="On the audit manager's list (not a moderator's free addition)."
    )
    is_active = models.BooleanField(default=True)
    # Question codes (stable across question-set versions) whose Partly or No answer suggests
    # this theme to the moderator. The audit manager keeps the map.
    evidence_question_codes = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(table_name="audit_app_historicalfindingtheme")

    class Meta:
        db_table = "audit_app_findingtheme"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ModerationDecision(models.TextChoices):
    AGREED = "agreed", "Agreed the grade"
    CHANGED = "changed", "Changed the grade"
    RETURNED = "returned", "Returned to the auditor"


class Moderation(models.Model):
    """One moderation decision on an audit. An audit returned and resubmitted gets another."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="moderations")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="moderations"
    )
    # Copied from the audit when decided, so the database itself refuses self-moderation.
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="moderations_received"
    )
    decision = models.CharField(max_length=10, choices=ModerationDecision.choices)
    original_grade = models.CharField(max_length=24, choices=Grade.choices)
    agreed_grade = models.CharField(max_length=24, choices=Grade.choices, blank=True)
    reason = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    comments = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    # When returning: {section code: comment} for the auditor, beside the overall comments.
    section_comments = models.JSONField(default=dict, blank=True)
    is_blind = models.BooleanField(default=False)
    # On a blind moderation, the grade the moderator gave before the auditor's was shown.
    blind_grade = models.CharField(max_length=24, choices=Grade.choices, blank=True)
    good_practice_to_publicise = models.BooleanField(default=False)
    themes = models.ManyToManyField(
        FindingTheme, blank=True, related_name="moderations", db_table="audit_app_moderation_themes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(table_name="audit_app_historicalmoderation")

    class Meta:
        db_table = "audit_app_moderation"
        ordering = ["audit", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(moderator=F("auditor")), name="moderator_is_not_the_auditor"
            ),
            models.CheckConstraint(
                condition=Q(decision__in=ModerationDecision.values),
                name="moderation_decision_valid",
            ),
            models.CheckConstraint(
                condition=Q(original_grade__in=Grade.values), name="moderation_original_grade_valid"
            ),
            models.CheckConstraint(
                condition=(Q(decision="returned") & Q(agreed_grade=""))
                | (Q(decision="agreed") & Q(agreed_grade=F("original_grade")))
                | (
                    Q(decision="changed")
                    & Q(agreed_grade__in=Grade.values)
                    & ~Q(agreed_grade=F("original_grade"))
                    & ~Q(reason="")
                ),
                name="moderation_grade_matches_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} on audit {self.audit_id}"


class BlindGrade(models.Model):
    """The moderator's own grade of a blind audit, recorded before the auditor's is revealed."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="blind_grades")
    submission_number = models.PositiveSmallIntegerField()
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    grade = models.CharField(max_length=24, choices=Grade.choices)
    reason = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "audit_app_blindgrade"
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "submission_number"], name="one_blind_grade_per_submission"
            ),
            models.CheckConstraint(condition=Q(grade__in=Grade.values), name="blind_grade_valid"),
        ]

    def __str__(self) -> str:
        return f"Blind grade of audit {self.audit_id}"


class AuditEventKind(models.TextChoices):
    STARTED = "started", "Started"
    SUBMITTED = "submitted", "Submitted"
    BLIND_GRADED = "blind_graded", "Moderator's blind grade recorded"
    AGREED = "agreed", "Moderator agreed the grade"
    CHANGED = "changed", "Moderator changed the grade"
    RETURNED = "returned", "Returned to the auditor"


class AuditEvent(models.Model):
    """What happened to an audit, by whom and when: grades, states and moderation decisions."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=14, choices=AuditEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    from_state = models.CharField(max_length=12, choices=AuditState.choices)
    to_state = models.CharField(max_length=12, choices=AuditState.choices)
    grade = models.CharField(max_length=24, choices=Grade.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "audit_app_auditevent"
        ordering = ["audit", "at", "pk"]
        indexes = [models.Index(fields=["audit", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (audit {self.audit_id})"


class ModerationPolicy(models.Model):
    """The audit manager's settings for moderation in a force."""

    force = models.OneToOneField(
        "audit_app.Force", on_delete=models.CASCADE, related_name="moderation_policy"
    )
    blind_share_percent = models.PositiveSmallIntegerField(
        default=20, help_text="The share of submitted audits moderated blind, chosen at random."
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(table_name="audit_app_historicalmoderationpolicy")

    class Meta:
        db_table = "audit_app_moderationpolicy"
        verbose_name_plural = "moderation policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(blind_share_percent__lte=100), name="blind_share_is_a_percentage"
            ),
        ]

    def __str__(self) -> str:
        return f"Moderation policy of force {self.force_id}"


class EscalationState(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class SafeguardingEscalation(models.Model):
    """A child who may still be at risk today, raised from an audit at once, apart from grading."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="escalations")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="escalations_raised"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    concern = models.TextField(max_length=NOTE_MAX_LENGTH)
    respond_by = models.DateTimeField()
    state = models.CharField(
        max_length=10, choices=EscalationState.choices, default=EscalationState.OPEN
    )
    response = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    action_taken_on = models.DateField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations_answered",
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(table_name="audit_app_historicalsafeguardingescalation")

    class Meta:
        db_table = "audit_app_safeguardingescalation"
        ordering = ["state", "respond_by"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=EscalationState.values), name="escalation_state_valid"
            ),
            models.CheckConstraint(condition=~Q(concern=""), name="escalation_has_concern"),
            models.CheckConstraint(
                condition=Q(state="open")
                | (
                    ~Q(response="")
                    & Q(responded_by__isnull=False)
                    & Q(responded_at__isnull=False)
                    & Q(action_taken_on__isnull=False)
                ),
                name="resolved_escalation_has_response",
            ),
        ]
        indexes = [models.Index(fields=["state", "respond_by"])]

    def __str__(self) -> str:
        return f"Escalation {self.pk} on audit {self.audit_id}"
