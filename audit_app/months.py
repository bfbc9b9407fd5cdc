"""Months, the unit the audit regime runs on: one helper for every app.

A month is held as its first day. Text from people and clients is read with `parse_month`
(YYYY-MM first; a form also takes 12/2026, December 2026 or Dec 2026); `audit_app.dates` says
whether the result is plausible.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

MONTH_INPUT_FORMATS = ("%Y-%m", "%m/%Y", "%B %Y", "%b %Y")


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def current_month(today: datetime.date | None = None) -> datetime.date:
    return first_of_month(today or timezone.localdate())


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    next_month_first = datetime.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month_first - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


def month_end(month: datetime.date) -> datetime.date:
    """The last day of `month`."""
    return add_months(first_of_month(month), 1) - datetime.timedelta(days=1)


def parse_month(value: str, formats: tuple[str, ...] = ("%Y-%m",)) -> datetime.date | None:
    """The first day of the month written in `value`, or None when it is not a month."""
    for month_format in formats:
        try:
            return datetime.datetime.strptime(value.strip(), month_format).date()
        except ValueError:
            continue
    return None
