"""Form fields that refuse an impossible record id before it reaches the database.

A posted id longer than any real one (say 30 digits) overflows SQLite's integer and surfaces as a
server error; PostgreSQL merely finds nothing. These fields refuse it as an invalid choice on both.
"""

from __future__ import annotations

from django import forms

MAX_ID_DIGITS = 18  # a 64-bit id has at most 19 digits; 18 keeps every value in range


def _plausible(value) -> bool:
    text = str(value).strip()
    return text.isdigit() and len(text) <= MAX_ID_DIGITS


class RecordChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not _plausible(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class RecordMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for item in value:
            if not _plausible(item):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(item)[:20]},
                )
        return super()._check_values(value)
