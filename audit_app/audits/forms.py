from collections.abc import Sequence

from django import forms
from django.db.models import Case as DbCase
from django.db.models import IntegerField, Value, When

from audit_app.audits.models import (
    ANSWERS_NEEDING_COMMENT,
    COMMENT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    Answer,
    AnswerValue,
    AuditState,
    FindingTheme,
    Grade,
    ModerationDecision,
    Question,
)
from audit_app.audits.selectors import ThemeSuggestion
from audit_app.audits.services import AnswerInput, ModerationInput
from audit_app.fields import (
    PlausibleDateField,
    PlausibleMonthField,
    RecordChoiceField,
    RecordMultipleChoiceField,
)
from audit_app.models import TeamType, User
from audit_app.models.reference import CaseTheme


class SectionForm(forms.Form):
    """The answers to one section of the walk: a radio and a comment per question."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, questions: list[Question], require_all: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.require_all = require_all
        for question in questions:
            labels = dict(AnswerValue.choices)
            self.fields[f"q{question.pk}"] = forms.ChoiceField(
                label=f"{question.number}. {question.text}",
                choices=[(value, labels[value]) for value in question.answer_options],
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"q{question.pk}-comment"] = forms.CharField(
                label=f"Comment on question {question.number}",
                required=False,
                max_length=COMMENT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={
                    "max_length": f"Comment on question {question.number} must be "
                    f"{COMMENT_MAX_LENGTH} characters or fewer"
                },
            )

    @classmethod
    def initial_from(cls, answers: dict[int, Answer], fingerprint: str) -> dict:
        initial: dict = {"fingerprint": fingerprint}
        for question_id, answer in answers.items():
            initial[f"q{question_id}"] = answer.value
            initial[f"q{question_id}-comment"] = answer.comment
        return initial

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            value = cleaned.get(f"q{question.pk}")
            comment = (cleaned.get(f"q{question.pk}-comment") or "").strip()
            if not value and self.require_all and f"q{question.pk}" not in self.errors:
                self.add_error(f"q{question.pk}", f"Select an answer to question {question.number}")
            if value in ANSWERS_NEEDING_COMMENT and not comment:
                label = AnswerValue(value).label
                self.add_error(
                    f"q{question.pk}-comment",
                    f"Explain your answer of {label} to question {question.number}",
                )
        return cleaned

    def rows(self) -> list[tuple[Question, forms.BoundField, forms.BoundField]]:
        return [(q, self[f"q{q.pk}"], self[f"q{q.pk}-comment"]) for q in self.questions]

    def given_answers(self) -> dict[int, AnswerInput]:
        """The answers the auditor chose; questions left blank are not sent."""
        given = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if value:
                comment = self.cleaned_data.get(f"q{question.pk}-comment") or ""
                given[question.pk] = AnswerInput(value=value, comment=comment.strip())
        return given


class GradeForm(forms.Form):
    grade = forms.ChoiceField(
        label="Grade",
        choices=Grade.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a grade for the case"},
    )
    grade_reason = forms.CharField(
        label="Reason for the grade",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    good_practice = forms.CharField(
        label="Good practice to share",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    areas_for_improvement = forms.CharField(
        label="Areas for improvement",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, suggested: Grade, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggested = suggested

    def clean(self):
        cleaned = super().clean()
        grade = cleaned.get("grade")
        if grade and grade != self.suggested and not cleaned.get("grade_reason", "").strip():
            self.add_error(
                "grade_reason",
                f"Explain why your grade differs from the suggested grade "
                f"({self.suggested.label.lower()})",
            )
        return cleaned


class EscalationForm(forms.Form):
    concern = forms.CharField(
        label="Why may the child still be at risk today?",
        help_text="Say what you found and what you think needs doing now. "
        "Use the case reference, not the child's name or address.",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Describe why the child may still be at risk",
            "max_length": f"The concern must be {NOTE_MAX_LENGTH} characters or fewer",
        },
    )


class EscalationResponseForm(forms.Form):
    response = forms.CharField(
        label="What was done to keep the child safe",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Record what was done to keep the child safe"},
    )
    action_taken_on = PlausibleDateField(
        past_only=True,
        label="Date the action was taken",
        help_text="For example, 27 3 2026",
        error_messages={
            "required": "Enter the date the action was taken",
            "invalid": "Enter the date as day, month and year, for example 27/3/2026",
        },
    )


class ModerationQueueFilter(forms.Form):
    state = forms.ChoiceField(
        label="State",
        required=False,
        choices=[
            ("", "All"),
            (AuditState.SUBMITTED, "Waiting for moderation"),
            (AuditState.RETURNED, "Returned to the auditor"),
            (AuditState.MODERATED, "Moderated"),
        ],
    )
    theme = RecordChoiceField(
        label="Theme", required=False, queryset=CaseTheme.objects.all(), empty_label="All"
    )
    team_type = forms.ChoiceField(
        label="Team type", required=False, choices=[("", "All"), *TeamType.choices]
    )
    auditor = RecordChoiceField(
        label="Auditor", required=False, queryset=User.objects.none(), empty_label="All"
    )

    def __init__(self, *args, auditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditor"].queryset = auditors
        self.fields["auditor"].label_from_instance = lambda user: user.display_name


class BlindGradeForm(forms.Form):
    grade = forms.ChoiceField(
        label="Your grade",
        choices=Grade.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select your grade for the case"},
    )
    reason = forms.CharField(
        label="Your reasons (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# The moderation form's second button: save, then go to the feedback page.
THEN_FEEDBACK = "feedback"


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=ModerationDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select your decision"},
    )
    agreed_grade = forms.ChoiceField(
        label="New grade (if you change it)",
        required=False,
        choices=Grade.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason for changing the grade",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    comments = forms.CharField(
        label="Comments for the auditor",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    themes = RecordMultipleChoiceField(
        label="Themes",
        required=False,
        queryset=FindingTheme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    new_themes = forms.CharField(
        label="Other themes (optional)",
        help_text="Separate themes with commas. The audit manager may add them to the list.",
        required=False,
        max_length=500,
    )
    publicise_good_practice = forms.BooleanField(
        label="The good practice in this audit is worth publicising", required=False
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)
    # Which button was pressed: "feedback" for "Save and give feedback".
    then = forms.ChoiceField(
        required=False, choices=[("", "Back to the queue"), (THEN_FEEDBACK, "Give feedback")]
    )

    def __init__(
        self,
        *args,
        audit,
        section_codes: list[str],
        suggestions: Sequence[ThemeSuggestion] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.audit = audit
        self.suggestions = {suggestion.theme.pk: suggestion for suggestion in suggestions}
        suggested_first = DbCase(
            When(pk__in=list(self.suggestions), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        self.fields["themes"].queryset = FindingTheme.objects.filter(is_active=True).order_by(
            suggested_first, "-is_controlled", "name"
        )
        if not self.is_bound and "themes" not in self.initial:
            # Suggested themes start checked: the moderator confirms or unchecks each.
            self.initial["themes"] = list(self.suggestions)
        self.section_codes = section_codes
        for code in section_codes:
            self.fields[f"section_{code}"] = forms.CharField(
                label=f"Comment on section {code}",
                required=False,
                max_length=NOTE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == ModerationDecision.CHANGED:
            grade = cleaned.get("agreed_grade")
            if not grade:
                self.add_error("agreed_grade", "Select the grade you are changing it to")
            elif grade == self.audit.grade:
                self.add_error("agreed_grade", "Select a grade different from the auditor's")
            if not cleaned.get("reason", "").strip():
                self.add_error("reason", "Give the reason for changing the grade")
        if decision == ModerationDecision.RETURNED and not (
            cleaned.get("comments", "").strip()
            or any(cleaned.get(f"section_{code}", "").strip() for code in self.section_codes)
        ):
            self.add_error("comments", "Say what the auditor should look at again")
        return cleaned

    def section_fields(self):
        return [self[f"section_{code}"] for code in self.section_codes]

    def theme_choices(self) -> list[tuple[forms.BoundField, str]]:
        """Each theme's checkbox with why it is suggested ("" when it is not)."""
        return [
            (
                choice,
                self.suggestions[choice.data["value"].value].hint
                if choice.data["value"].value in self.suggestions
                else "",
            )
            for choice in self["themes"]
        ]

    @property
    def gives_feedback_next(self) -> bool:
        return self.cleaned_data.get("then") == THEN_FEEDBACK

    def to_input(self) -> ModerationInput:
        data = self.cleaned_data
        names = tuple(n.strip() for n in data.get("new_themes", "").split(",") if n.strip())
        return ModerationInput(
            decision=data["decision"],
            agreed_grade=data.get("agreed_grade") or "",
            reason=data.get("reason", ""),
            comments=data.get("comments", ""),
            section_comments={code: data.get(f"section_{code}", "") for code in self.section_codes},
            theme_ids=tuple(theme.pk for theme in data.get("themes", [])),
            new_theme_names=names,
            publicise_good_practice=data.get("publicise_good_practice", False),
        )


class ThemeQuestionsForm(forms.Form):
    """The questions whose failing answer suggests a theme on the list."""

    theme = RecordChoiceField(
        queryset=FindingTheme.objects.filter(is_controlled=True, is_active=True),
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose a theme from the list",
            "invalid_choice": "Choose a theme from the list",
        },
    )
    question_codes = forms.MultipleChoiceField(
        label="Questions",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "%(value)s is not a question of the current question set. "
            "Choose questions from the list"
        },
    )

    def __init__(self, *args, questions: Sequence[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.fields["question_codes"].choices = [
            (question.code, f"{question.number}. {question.text}") for question in self.questions
        ]

    def question_choices(self) -> list[tuple[forms.BoundField, Question]]:
        """Each question's checkbox with its question, for labels naming its code and section."""
        return list(zip(self["question_codes"], self.questions, strict=True))


class PeriodForm(forms.Form):
    start = PlausibleMonthField(
        label="From (month)",
        required=False,
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}),
        error_messages={"invalid": "Enter the first month as year and month, for example 2026-01"},
    )
    end = PlausibleMonthField(
        label="To (month)",
        required=False,
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}),
        error_messages={"invalid": "Enter the last month as year and month, for example 2026-12"},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", "The last month must be the same as or after the first")
        return cleaned


class BlindShareForm(forms.Form):
    blind_share_percent = forms.IntegerField(
        label="Share of audits moderated blind (per cent)",
        help_text="Chosen at random when each audit is submitted. 20 is one in five.",
        min_value=0,
        max_value=100,
        error_messages={
            "required": "Enter a share from 0 to 100",
            "invalid": "Enter the share as a whole number from 0 to 100",
            "min_value": "Enter a share from 0 to 100",
            "max_value": "Enter a share from 0 to 100",
        },
    )


class ThemeListChangeForm(forms.Form):
    """Add a moderator's theme to the list of themes, or stop offering one."""

    action = forms.ChoiceField(
        choices=[("promote", "Add to the list"), ("retire", "Stop offering")]
    )
    theme = RecordChoiceField(
        queryset=FindingTheme.objects.all(),
        error_messages={
            "required": "Choose a theme from the list",
            "invalid_choice": "Choose a theme from the list",
        },
    )
