"""Forms for asking for a report and recording a meeting's actions. They validate the shape of
the input; the services enforce the rules."""

from __future__ import annotations

import datetime

from django import forms

from audit_app.audits.models import FindingTheme
from audit_app.dates import validate_plausible_date
from audit_app.fields import RecordChoiceField, RecordMultipleChoiceField
from audit_app.months import parse_month
from audit_app.reports import services
from audit_app.reports.models import DESCRIPTION_MAX_LENGTH, ActionState, ActionType
from recommendations.models import Recommendation

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y", "%d-%m-%Y"]


def month_choices(today: datetime.date | None = None) -> list[tuple[str, str]]:
    """The months the service takes a report for: the page offers exactly those."""
    return [(f"{month:%Y-%m}", f"{month:%B %Y}") for month in services.report_months(today)]


def _month(value: str) -> datetime.date:
    month = parse_month(value)
    if month is None:
        raise forms.ValidationError("Choose a month from the list")
    return month


class ReportRequestForm(forms.Form):
    meeting = forms.ChoiceField(
        label="Meeting",
        error_messages={
            "required": "Choose the meeting the report is for",
            "invalid_choice": "Choose a meeting from the list",
        },
    )
    month = forms.ChoiceField(
        label="Month reported on",
        error_messages={
            "required": "Choose the month the report covers",
            "invalid_choice": "Choose a month from the list",
        },
    )

    def __init__(self, *args, meetings: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = meetings
        self.fields["month"].choices = month_choices()
        if not self.is_bound:
            self.initial.setdefault("month", month_choices()[1][0])

    def clean_month(self) -> datetime.date:
        return _month(self.cleaned_data["month"])


class MeetingActionForm(forms.Form):
    meeting = forms.ChoiceField(
        label="Meeting",
        error_messages={
            "required": "Choose the meeting that agreed the action",
            "invalid_choice": "Choose a meeting from the list",
        },
    )
    meeting_month = forms.ChoiceField(
        label="Month of the meeting",
        error_messages={
            "required": "Choose the month of the meeting",
            "invalid_choice": "Choose a month from the list",
        },
    )
    description = forms.CharField(
        label="Action agreed",
        help_text="What will be done. Use case references, never a child's name or address.",
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Describe the action agreed",
            "max_length": f"The action must be {DESCRIPTION_MAX_LENGTH} characters or fewer",
        },
    )
    action_type = forms.ChoiceField(
        label="Type of action",
        choices=ActionType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of action"},
    )
    owner = forms.CharField(
        label="Owner",
        help_text="The role or name of the person who will do it, for example DI West.",
        max_length=120,
        error_messages={
            "required": "Enter who owns the action",
            "max_length": "The owner must be 120 characters or fewer",
        },
    )
    due_on = forms.DateField(
        label="Due date",
        help_text="For example, 27/3/2026",
        input_formats=DATE_FORMATS,
        validators=[validate_plausible_date],
        error_messages={
            "required": "Enter the date the action is due",
            "invalid": "Enter the due date as day, month and year, for example 27/3/2026",
        },
    )
    state = forms.ChoiceField(
        label="State",
        choices=ActionState.choices,
        widget=forms.RadioSelect,
        initial=ActionState.AGREED,
        error_messages={"required": "Choose the state of the action"},
    )
    themes = RecordMultipleChoiceField(
        label="Finding themes it addresses",
        queryset=FindingTheme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose themes from the list"},
    )
    recommendation = RecordChoiceField(
        label="Inspection recommendation it answers (optional)",
        queryset=Recommendation.objects.none(),
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Choose a recommendation from the list"},
    )

    def __init__(self, *args, meetings: list[tuple[str, str]], force_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = meetings
        self.fields["meeting_month"].choices = month_choices()
        self.fields["themes"].queryset = FindingTheme.objects.filter(is_active=True).order_by(
            "name"
        )
        self.fields["recommendation"].queryset = (
            Recommendation.objects.filter(inspection__force_id__in=force_ids)
            .select_related("inspection")
            .order_by("-inspection__published_on", "number")
        )
        self.fields["recommendation"].label_from_instance = lambda rec: (
            f"Recommendation {rec.number}: {rec.get_heading_display()}"
        )
        if not self.is_bound:
            self.initial.setdefault("meeting_month", month_choices()[0][0])

    def clean_meeting_month(self) -> datetime.date:
        return _month(self.cleaned_data["meeting_month"])
