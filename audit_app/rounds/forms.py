import datetime

from django import forms

from audit_app.fields import (
    PlausibleDateField,
    PlausibleMonthField,
    RecordChoiceField,
)
from audit_app.models.reference import CaseTheme
from audit_app.months import MONTH_INPUT_FORMATS, parse_month
from audit_app.rounds.services import MAX_CASES_PER_THEME


class CaseImportForm(forms.Form):
    file = forms.FileField(
        label="Upload the export",
        help_text="A CSV or Excel (.xlsx) file from the records system, up to 20 MB. The first "
        "row names the columns: reference, theme, area, team, station, officer_in_case, "
        "supervisor, occurred_on, closed_on.",
        error_messages={"required": "Choose a CSV or Excel file to upload"},
    )


class RoundCreateForm(forms.Form):
    area = RecordChoiceField(
        label="Area",
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of your areas"},
    )
    month = PlausibleMonthField(
        label="Month",
        help_text="The month the audits are done in, for example 2026-12. Cases recorded in the "
        "month before are eligible.",
        error_messages={"required": "Enter the month"},
    )
    due_date = PlausibleDateField(
        label="Due date",
        help_text="For example 2027-01-10.",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": "Enter the due date",
            "invalid": "Enter the due date as YYYY-MM-DD, for example 2027-01-10",
        },
    )
    force_interest_theme = RecordChoiceField(
        label="Force-interest case drawn from",
        queryset=CaseTheme.objects.filter(is_active=True),
        empty_label=None,
        error_messages={"invalid_choice": "Choose a theme"},
    )
    force_interest_topic = forms.CharField(
        label="Force-interest topic (optional)",
        help_text="The area of business the force wants to explore this month.",
        required=False,
        max_length=200,
        error_messages={"max_length": "The topic must be 200 characters or fewer"},
    )
    cases_per_theme = forms.IntegerField(
        label="Cases per theme",
        help_text="An inspection round may take more than one case per theme.",
        min_value=1,
        max_value=MAX_CASES_PER_THEME,
        initial=1,
        error_messages={
            "required": "Enter how many cases per theme",
            "invalid": f"Enter a whole number from 1 to {MAX_CASES_PER_THEME}",
            "min_value": f"Enter a whole number from 1 to {MAX_CASES_PER_THEME}",
            "max_value": f"Enter a whole number from 1 to {MAX_CASES_PER_THEME}",
        },
    )

    def __init__(self, *args, areas, inspection: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        if not inspection:
            del self.fields["cases_per_theme"]


class SelectionForm(forms.Form):
    seed = forms.IntegerField(
        label="Seed (optional)",
        help_text="Leave empty for a new random seed. The same seed over the same candidate "
        "cases gives the same selection.",
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        error_messages={
            "invalid": "The seed must be a whole number",
            "min_value": "The seed must be 0 or more",
            "max_value": "The seed must be 2147483647 or less",
        },
    )


class SlotDrawForm(forms.Form):
    month = forms.ChoiceField(
        label="Draw the case from",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a month", "invalid_choice": "Choose a month"},
    )

    def __init__(self, *args, months: list[datetime.date], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in months]

    def clean_month(self) -> datetime.date:
        month = parse_month(self.cleaned_data["month"], MONTH_INPUT_FORMATS)
        if month is None:  # the choices are all well formed: this is a tampered request
            raise forms.ValidationError("Choose a month", code="invalid_choice")
        return month


class SlotEmptyForm(forms.Form):
    reason = forms.CharField(
        label="Why is this slot left empty?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why the slot is left empty",
            "max_length": "The reason must be 1,000 characters or fewer",
        },
    )


class SlotChooseForm(forms.Form):
    case = RecordChoiceField(
        label="Choose the case",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose a case",
            "invalid_choice": "That case is no longer eligible; choose another",
        },
    )

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases
        self.fields["case"].label_from_instance = lambda case: (
            f"{case.reference}, {case.team.name}, {case.station or 'no station'}, "
            f"recorded {case.occurred_on:%d %B %Y}"
        )


class ReassignForm(forms.Form):
    auditor = RecordChoiceField(
        label="Auditor",
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of the round's auditors"},
    )

    def __init__(self, *args, auditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditor"].queryset = auditors
        self.fields["auditor"].label_from_instance = lambda user: user.display_name


class RoundCloseForm(forms.Form):
    confirm_unfinished = forms.BooleanField(
        label="Close the round with these audits unfinished",
        required=False,
    )
