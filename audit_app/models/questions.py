"""Case themes and the versioned question set, with its grading-suggestion rules. All data."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


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


class CaseTheme(models.Model):
    """One of the nine inspected case themes, or the force-interest theme. Codes stay stable."""

    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_force_interest = models.BooleanField(default=False)
    display_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="case_theme_code_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


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
    )

    class Meta:
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
