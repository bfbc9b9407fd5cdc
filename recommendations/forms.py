"""Forms for the action plan and progress assessments. They check shape; services check rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from audit_app.fields import PlausibleDateField
from recommendations.models import (
    ACTION_TEXT_MAX_LENGTH,
    NARRATIVE_MAX_LENGTH,
    ActionState,
    Rating,
    Recommendation,
    RecommendationAction,
)
from recommendations.services import OWNER_MAX_LENGTH, ActionInput

DATE_INVALID = "Enter the date as day, month and year, for example 27/3/2026"
WHOLE_RECOMMENDATION = ""


def _point_label(order: int, text: str) -> str:
    short = text if len(text) <= 90 else text[:87].rstrip() + "…"
    return f"Point {order}: {short}"


class ActionForm(forms.Form):
    point = forms.ChoiceField(label="What the action answers", required=False)
    description = forms.CharField(
        label="Action",
        max_length=ACTION_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe the action"},
    )
    owner = forms.CharField(
        label="Owner",
        help_text="A post or a team, for example Head of PPU",
        max_length=OWNER_MAX_LENGTH,
        error_messages={"required": "Say who owns the action"},
    )
    due_on = PlausibleDateField(
        label="Due date",
        help_text="For example, 27/3/2026",
        error_messages={"required": "Enter the date the action is due", "invalid": DATE_INVALID},
    )
    state = forms.ChoiceField(
        label="State",
        choices=ActionState.choices,
        initial=ActionState.NOT_STARTED,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the state of the action"},
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, recommendation: Recommendation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].choices = [(WHOLE_RECOMMENDATION, "The recommendation as a whole")] + [
            (str(point.pk), _point_label(point.order, point.text))
            for point in recommendation.points.all()
        ]

    @classmethod
    def initial_for(cls, action: RecommendationAction) -> dict:
        return {
            "point": str(action.point_id) if action.point_id else WHOLE_RECOMMENDATION,
            "description": action.description,
            "owner": action.owner,
            "due_on": action.due_on.strftime("%d/%m/%Y"),
            "state": action.state,
            "notes": action.notes,
            "revision": action.revision,
        }

    def to_input(self) -> ActionInput:
        data = self.cleaned_data
        return ActionInput(
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
            state=data["state"],
            notes=data["notes"],
            point_id=int(data["point"]) if data["point"] else None,
        )


class AssessmentForm(forms.Form):
    # Not in the future, and not before the report: the service says so, in those words.
    assessed_on = PlausibleDateField(
        label="Date of the assessment",
        help_text="For example, 27/3/2026",
        error_messages={
            "required": "Enter the date of the assessment",
            "invalid": DATE_INVALID,
        },
    )
    rating = forms.ChoiceField(
        label="Rating",
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a rating"},
    )
    narrative = forms.CharField(
        label="What the assessment is based on",
        help_text="The evidence seen: audits, documents, interviews. No personal details.",
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Say what the assessment is based on"},
    )

    @classmethod
    def initial_today(cls) -> dict:
        return {"assessed_on": timezone.localdate().strftime("%d/%m/%Y")}
