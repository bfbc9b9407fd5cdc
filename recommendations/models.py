"""Inspections and the recommendations they made, with their bullet points and timescales."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from audit_app.months import add_months


class Heading(models.TextChoices):
    LEADERSHIP = "leadership", "Leadership, management and governance"
    INITIAL_CONTACT = "initial_contact", "Initial contact"
    ASSESSMENT_HELP = "assessment_help", "Assessment and help"
    INVESTIGATION = "investigation", "Investigation"
    DECISION_MAKING = "decision_making", "Decision-making"
    POLICE_DETENTION = "police_detention", "Police detention"


class Timescale(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately"
    THREE_MONTHS = "three_months", "Within three months"
    SIX_MONTHS = "six_months", "Within six months"


TIMESCALE_MONTHS = {Timescale.IMMEDIATELY: 0, Timescale.THREE_MONTHS: 3, Timescale.SIX_MONTHS: 6}


class Inspection(models.Model):
    body = models.CharField(max_length=40, default="HMICFRS")
    force = models.ForeignKey(
        "audit_app.Force", on_delete=models.PROTECT, related_name="inspections"
    )
    reference = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=250)
    fieldwork_start = models.DateField(null=True, blank=True)
    fieldwork_end = models.DateField(null=True, blank=True)
    published_on = models.DateField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fieldwork_end__isnull=True)
                | Q(fieldwork_start__isnull=True)
                | Q(fieldwork_end__gte=models.F("fieldwork_start")),
                name="inspection_fieldwork_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Recommendation(models.Model):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="recommendations"
    )
    number = models.PositiveSmallIntegerField()
    heading = models.CharField(max_length=20, choices=Heading.choices)
    timescale = models.CharField(max_length=14, choices=Timescale.choices)
    text = models.TextField(help_text="The recommendation as published, up to its bullet points.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["inspection", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "number"], name="recommendation_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(heading__in=Heading.values), name="recommendation_heading_valid"
            ),
            models.CheckConstraint(
                condition=Q(timescale__in=Timescale.values), name="recommendation_timescale_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.number}: {self.get_heading_display()}"

    @property
    def due_on(self) -> datetime.date:
        return add_months(self.inspection.published_on, TIMESCALE_MONTHS[self.timescale])


class RecommendationPoint(models.Model):
    """One bullet point of a recommendation, kept apart so actions can answer it."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="points"
    )
    order = models.PositiveSmallIntegerField()
    text = models.TextField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "order"], name="recommendation_point_order_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation.number}.{self.order}"


# --- Evidence: the audit questions and case themes that test a recommendation -------------------


class EvidenceQuestionManager(models.Manager):
    def get_by_natural_key(self, recommendation_id: int, question_code: str):
        return self.get(recommendation_id=recommendation_id, question_code=question_code)


class EvidenceQuestion(models.Model):
    """A question that tests a recommendation, by its code, so evidence spans question-set
    versions (a new version keeps the codes of the questions it carries over)."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="evidence_questions"
    )
    question_code = models.CharField(max_length=12, help_text="e.g. Q17")

    objects = EvidenceQuestionManager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation", "question_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "question_code"], name="evidence_question_unique"
            ),
            models.CheckConstraint(
                condition=~Q(question_code=""), name="evidence_question_code_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_code} tests recommendation {self.recommendation_id}"

    def clean(self) -> None:
        from audit_app.audits.models import Question

        if self.question_code and not Question.objects.filter(code=self.question_code).exists():
            raise ValidationError(
                {"question_code": "No question set has a question with this code."}
            )

    def natural_key(self) -> tuple:
        return (self.recommendation_id, self.question_code)


class EvidenceThemeManager(models.Manager):
    def get_by_natural_key(self, recommendation_id: int, theme_id: int):
        return self.get(recommendation_id=recommendation_id, theme_id=theme_id)


class EvidenceTheme(models.Model):
    """A case theme whose cases test a recommendation. A recommendation with none is tested by
    cases of every theme; with some, only their cases count."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="evidence_themes"
    )
    theme = models.ForeignKey(
        "audit_app.CaseTheme", on_delete=models.PROTECT, related_name="evidence_for"
    )

    objects = EvidenceThemeManager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation", "theme__display_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "theme"], name="evidence_theme_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Theme {self.theme_id} tests recommendation {self.recommendation_id}"

    def natural_key(self) -> tuple:
        return (self.recommendation_id, self.theme_id)


# --- The force's action plan ---------------------------------------------------------------------


class ActionState(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"


OPEN_ACTION_STATES = (ActionState.NOT_STARTED, ActionState.IN_PROGRESS)
ACTION_TEXT_MAX_LENGTH = 2000
NARRATIVE_MAX_LENGTH = 5000


class RecommendationAction(models.Model):
    """One action of the force's plan, answering a recommendation or one of its bullet points."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="actions"
    )
    point = models.ForeignKey(
        RecommendationPoint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        help_text="The bullet point it answers; empty for the recommendation as a whole.",
    )
    description = models.TextField(max_length=ACTION_TEXT_MAX_LENGTH)
    owner = models.CharField(max_length=120, help_text="A post or team, e.g. Head of PPU.")
    due_on = models.DateField()
    state = models.CharField(
        max_length=12, choices=ActionState.choices, default=ActionState.NOT_STARTED
    )
    completed_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, max_length=NARRATIVE_MAX_LENGTH)
    # Bumped on every change, so two people editing the same action cannot overwrite each other.
    revision = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        "audit_app.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        "audit_app.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    # The revision is bumped with F(), which a history row cannot copy; it is bookkeeping.
    history = HistoricalRecords(excluded_fields=["revision"])

    class Meta:
        ordering = ["recommendation", "point__order", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ActionState.values), name="action_state_valid"
            ),
            models.CheckConstraint(
                condition=(Q(state="complete") & Q(completed_on__isnull=False))
                | (~Q(state="complete") & Q(completed_on__isnull=True)),
                name="action_completed_on_iff_complete",
            ),
            models.CheckConstraint(condition=~Q(description=""), name="action_has_description"),
            models.CheckConstraint(condition=~Q(owner=""), name="action_has_owner"),
        ]
        indexes = [models.Index(fields=["recommendation", "state", "due_on"])]

    def __str__(self) -> str:
        return f"Action {self.pk} on recommendation {self.recommendation_id}"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.state != ActionState.COMPLETE and self.due_on < today


# --- Progress assessments: the force's and the inspector's, never overwritten -------------------


class AssessorKind(models.TextChoices):
    FORCE = "force", "Force self-assessment"
    INSPECTOR = "inspector", "Inspector's assessment"
    # The December 2018 review gives findings, not ratings: a rating read from it is ours.
    PROJECT_READING = "project_reading", "Our reading of the review, not the inspectorate's rating"


PROJECT_READING_LABEL = AssessorKind.PROJECT_READING.label


class Rating(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    PARTLY_ACHIEVED = "partly_achieved", "Partly achieved"
    ACHIEVED = "achieved", "Achieved"


class ProgressAssessmentManager(models.Manager):
    def get_by_natural_key(self, recommendation_id: int, kind: str, assessed_on: str, source: str):
        return self.get(
            recommendation_id=recommendation_id, kind=kind, assessed_on=assessed_on, source=source
        )


class ProgressAssessment(models.Model):
    """A dated judgement of progress on a recommendation. Each is a new record: an assessment is
    never changed or deleted through the app, so the history of judgements stays whole."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="assessments"
    )
    kind = models.CharField(max_length=16, choices=AssessorKind.choices)
    assessed_on = models.DateField()
    # NULL, not "", for "no rating given": the latest-rating subqueries and the API's null mean
    # exactly that, and the constraints below say who may leave it out.
    rating = models.CharField(  # noqa: DJ001
        max_length=16,
        choices=Rating.choices,
        null=True,
        blank=True,
        help_text="Empty for an inspectorate's document that gives no rating: its words are in "
        "the source quote, and any rating read from them is a separate project reading.",
    )
    narrative = models.TextField(max_length=NARRATIVE_MAX_LENGTH)
    source_quote = models.TextField(
        blank=True,
        help_text="The source document's own words on this recommendation, quoted exactly.",
    )
    recorded_by = models.ForeignKey(
        "audit_app.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_assessments",
    )
    source = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where an assessment loaded from a document comes from, e.g. a published review.",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ProgressAssessmentManager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation", "-assessed_on", "-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AssessorKind.values), name="assessment_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__in=Rating.values),
                name="assessment_rating_valid",
            ),
            # Only the inspectorate's own words may stand without a rating, and an entry loaded
            # from an inspectorate's document carries its words, never a rating it did not give.
            models.CheckConstraint(
                condition=Q(rating__isnull=False) | (Q(kind="inspector") & ~Q(source_quote="")),
                name="assessment_rating_or_quote",
            ),
            models.CheckConstraint(
                condition=~(Q(kind="inspector") & ~Q(source=""))
                | (Q(rating__isnull=True) & ~Q(source_quote="")),
                name="assessment_inspectorate_document_quoted_not_rated",
            ),
            models.CheckConstraint(condition=~Q(narrative=""), name="assessment_has_narrative"),
            models.CheckConstraint(
                condition=Q(recorded_by__isnull=False) | ~Q(source=""),
                name="assessment_has_author_or_source",
            ),
            # Loaded documents are found again by their natural key, never duplicated.
            models.UniqueConstraint(
                fields=["recommendation", "kind", "assessed_on", "source"],
                condition=~Q(source=""),
                name="assessment_from_source_unique",
            ),
        ]
        indexes = [models.Index(fields=["recommendation", "kind", "assessed_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of recommendation {self.recommendation_id}"

    def natural_key(self) -> tuple:
        return (self.recommendation_id, self.kind, str(self.assessed_on), self.source)

    @property
    def source_quote_passages(self) -> list[str]:
        return [p.strip() for p in self.source_quote.split("\n\n") if p.strip()]
