"""One rule for plausible dates, used by forms, the API and the case import alike.

A date typed as year 1 or 9999 is a slip, not a record: nothing this force audits happened before
the regime's records begin, and nothing is planned decades ahead. Every date a user or a file
gives is checked here, so a round for 0001-01 or an action due in 9999 is refused with the reason
instead of becoming a record that later pages cannot show.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

EARLIEST_PLAUSIBLE = datetime.date(2000, 1, 1)
YEARS_AHEAD_PLAUSIBLE = 5


def latest_plausible(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return today.replace(year=today.year + YEARS_AHEAD_PLAUSIBLE, day=1)


def plausible_date_problem(
    value: datetime.date, *, past_only: bool = False, today: datetime.date | None = None
) -> str | None:
    """Why `value` is not a plausible date, or None when it is.

    `past_only` is for dates of things that have happened (a case recorded, a case closed).
    """
    today = today or timezone.localdate()
    if value < EARLIEST_PLAUSIBLE:
        return f"must be on or after {EARLIEST_PLAUSIBLE:%-d %B %Y}"
    if past_only and value > today:
        return "must not be in the future"
    latest = latest_plausible(today)
    if value >= latest:
        return f"must be before {latest:%-d %B %Y}"
    return None


def validate_plausible_date(value: datetime.date) -> None:
    """A Django validator: forms, model fields and DRF serializers all accept it."""
    problem = plausible_date_problem(value)
    if problem is not None:
        raise ValidationError(f"The date {problem}.", code="implausible_date")


def validate_past_date(value: datetime.date) -> None:
    problem = plausible_date_problem(value, past_only=True)
    if problem is not None:
        raise ValidationError(f"The date {problem}.", code="implausible_date")
