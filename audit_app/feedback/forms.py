"""Forms for giving feedback and recording its acknowledgement."""

from __future__ import annotations

from django import forms

from audit_app.audits.models import NOTE_MAX_LENGTH
from audit_app.feedback.models import FeedbackMethod
from audit_app.fields import PlausibleDateField

ACTIONS = ("save", "send", "given")


class FeedbackForm(forms.Form):
    """One recipient's feedback: its text, and what to do with it (save, email, or record it as
    given in person or by phone). The text is saved whatever else the form refuses."""

    good_practice = forms.CharField(
        label="Good practice",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "max_length": f"Good practice must be {NOTE_MAX_LENGTH} characters or fewer"
        },
    )
    areas_for_improvement = forms.CharField(
        label="Areas for improvement",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={
            "max_length": f"Areas for improvement must be {NOTE_MAX_LENGTH} characters or fewer"
        },
    )
    email = forms.EmailField(
        label="Their work email address",
        required=False,
        max_length=254,
        help_text="Saved in the staff directory, with a record of who added it.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.police.uk"
        },
    )
    method = forms.ChoiceField(
        label="How was it given?",
        required=False,
        choices=[
            (FeedbackMethod.IN_PERSON.value, FeedbackMethod.IN_PERSON.label),
            (FeedbackMethod.PHONE.value, FeedbackMethod.PHONE.label),
        ],
        error_messages={"invalid_choice": "Choose in person or by phone"},
    )
    given_on = PlausibleDateField(
        past_only=True,
        label="Date given",
        required=False,
        help_text="For example, 27/3/2026",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={
            "invalid": "Enter the date as day, month and year, for example 27/3/2026",
        },
    )
    action = forms.ChoiceField(
        choices=[(action, action) for action in ACTIONS],
        error_messages={
            "required": "Choose what to do with the feedback",
            "invalid_choice": "Choose what to do with the feedback",
        },
    )

    def text_is_valid(self) -> bool:
        """Whether the text alone can be saved, whatever the rest of the form says."""
        self.is_valid()
        return not (set(self.errors) & {"good_practice", "areas_for_improvement"})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "given":
            if not cleaned.get("method"):
                self.add_error(
                    "method", "Choose whether the feedback was given in person or by phone"
                )
            if not cleaned.get("given_on") and "given_on" not in self.errors:
                self.add_error("given_on", "Enter the date the feedback was given")
        return cleaned


class AcknowledgementForm(forms.Form):
    acknowledged_on = PlausibleDateField(
        past_only=True,
        label="Date acknowledged",
        help_text="For example, 27/3/2026",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={
            "required": "Enter the date the feedback was acknowledged",
            "invalid": "Enter the date as day, month and year, for example 27/3/2026",
        },
    )
