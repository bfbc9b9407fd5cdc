from django import forms
from django.contrib.auth.forms import AuthenticationForm

from audit_app.models import (
    ANSWERS_NEEDING_COMMENT,
    COMMENT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    Answer,
    AnswerValue,
    Grade,
    Question,
)
from audit_app.services import AnswerInput


class SignInForm(AuthenticationForm):
    """Django's sign-in form with one message that does not say which part was wrong."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "Enter a correct username and password. Both are case-sensitive.",
    }

    username = forms.CharField(
        label="Username",
        max_length=150,
        error_messages={"required": "Enter your username"},
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


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
    action_taken_on = forms.DateField(
        label="Date the action was taken",
        help_text="For example, 27 3 2026",
        input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y", "%d-%m-%Y"],
        error_messages={
            "required": "Enter the date the action was taken",
            "invalid": "Enter the date as day, month and year, for example 27/3/2026",
        },
    )
