"""Form and API fields that refuse impossible input before it reaches a service or the database.

Record ids: a posted id longer than any real one (say 30 digits) overflows SQLite's integer and
surfaces as a server error; PostgreSQL merely finds nothing. The choice fields below refuse it as
an invalid choice on both.

Dates: every date a person types into a form or sends to the API is held to the one rule of
`audit_app.dates` (nothing before 2000, nothing five years ahead; `past_only` for things that
have happened) by using these fields. tests/contracts/test_plausible_dates.py walks every form
and every request body of the API and fails on a date field that does not carry the rule.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit_app.dates import validate_past_date, validate_plausible_date
from audit_app.months import MONTH_INPUT_FORMATS, parse_month

MAX_ID_DIGITS = 18  # a 64-bit id has at most 19 digits; 18 keeps every value in range
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y", "%d-%m-%Y"]
PLAUSIBLE_DATE_RULES = (validate_plausible_date, validate_past_date)


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


# Dates in forms ----------------------------------------------------------------------------------


def _rule(past_only: bool):
    return validate_past_date if past_only else validate_plausible_date


class PlausibleDateField(forms.DateField):
    """A date typed by a person: parsed, then held to the plausible-date rule."""

    default_error_messages = {
        "invalid": "Enter the date as day, month and year, for example 27/3/2026"
    }

    def __init__(self, *, past_only: bool = False, **kwargs) -> None:
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        super().__init__(**kwargs)
        self.validators.insert(0, _rule(past_only))


class PlausibleMonthField(PlausibleDateField):
    """A month, held as its first day."""

    default_error_messages = {"invalid": "Enter the month as YYYY-MM, for example 2026-12"}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", forms.DateInput(format="%Y-%m"))
        super().__init__(input_formats=list(MONTH_INPUT_FORMATS), **kwargs)

    def to_python(self, value) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        month = parse_month(str(value), MONTH_INPUT_FORMATS)
        if month is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return month


# Dates in the API --------------------------------------------------------------------------------


class PlausibleDateApiField(serializers.DateField):
    """A date sent to the API (YYYY-MM-DD): parsed, then held to the plausible-date rule."""

    def __init__(self, *, past_only: bool = False, **kwargs) -> None:
        validators = list(kwargs.pop("validators", ()))
        super().__init__(validators=[_rule(past_only), *validators], **kwargs)


MONTH_PATTERN = r"^20\d{2}-(0[1-9]|1[0-2])$"  # documents the plausible window; the rule checks it


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-11"})
class PlausibleMonthApiField(PlausibleDateApiField):
    """A month as YYYY-MM, held as the month's first day."""

    default_error_messages = {"invalid": "Enter the month as YYYY-MM, for example 2026-11."}

    def to_internal_value(self, data) -> datetime.date:
        text = str(data).strip()
        month = parse_month(text)
        if month is None or len(text) != len("2026-11"):  # strptime also takes 2026-1
            self.fail("invalid")
        return month

    def to_representation(self, value: datetime.date | None) -> str | None:
        return None if value is None else f"{value:%Y-%m}"


# Record ids in the API ---------------------------------------------------------------------------

MAX_API_ID = 2**31 - 1  # record ids are PostgreSQL integers: a larger one names no row


class RecordIdApiField(serializers.IntegerField):
    """A record's id sent in a body: a positive database integer, or refused with the reason.

    Unbounded, a 30-digit id overflows SQLite's integer deep in a query and surfaces as a 500.
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_API_ID)
        super().__init__(**kwargs)


class RevisionApiField(serializers.IntegerField):
    """The revision a record was read at (optimistic locking), bounded like an id."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_API_ID)
        super().__init__(**kwargs)
