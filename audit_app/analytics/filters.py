"""Audit results for analysts: the audits a role may see, the filters, and grade distributions.

The same filter set serves the API, the exports and the dashboard, so a figure on the dashboard is
the figure an analyst downloads. Distributions are counted in the database (one GROUP BY), over
the final grade: the moderated grade where there is one, else the auditor's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Count, F, Func, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf

from audit_app.audits import selectors
from audit_app.audits.models import Audit, AuditState, Grade, RoundKind
from audit_app.models import TeamType, User
from audit_app.models.reference import CaseTheme
from audit_app.months import parse_month
from audit_app.permissions import OVERSIGHT_ROLES, user_scope
from audit_app.statistics import percent

# Who reads audit results: the same roles that read rounds.
GRADE_ORDER = (Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE)
DIMENSIONS = {
    "area": "round__area__code",
    "month": "round__month",
    "theme": "case__theme__code",
    "team_type": "case__team__team_type",
}


def final_grade() -> Func:
    """The moderated grade where there is one, else the auditor's (blank until submitted)."""
    return Coalesce(NullIf(F("moderated_grade"), Value("")), F("grade"), output_field=CharField())


def audits_for_analyst(user: User) -> QuerySet[Audit]:
    """Audits in the areas where the user moderates, leads, manages audits or inspects, with what
    the user may see of each (`selectors.with_visibility`): the final grade of an audit whose
    auditor's work is hidden is blank, so no filter, ordering or count can reveal it."""
    audits = selectors.with_visibility(
        Audit.objects.filter(
            user_scope(user).area_filter(*OVERSIGHT_ROLES, area_field="round__area")
        ),
        user,
    )
    return audits.annotate(
        final_grade=Case(
            When(selectors.hidden_work_q(), then=Value("")),
            default=final_grade(),
            output_field=CharField(),
        )
    )


def _month(value: str) -> datetime.date:
    month = parse_month(value)
    if month is None:
        raise ValidationError("Enter the month as YYYY-MM, for example 2026-11.")
    return month


def _validate_month(value: str) -> None:
    _month(value)


class AuditResultFilter(django_filters.FilterSet):
    area = django_filters.CharFilter(
        field_name="round__area__code", help_text="Area code, e.g. west."
    )
    month_from = django_filters.CharFilter(
        method="filter_month_from",
        validators=[_validate_month],
        help_text="First month, YYYY-MM (inclusive).",
    )
    month_to = django_filters.CharFilter(
        method="filter_month_to",
        validators=[_validate_month],
        help_text="Last month, YYYY-MM (inclusive).",
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="case__theme",
        queryset=CaseTheme.objects.all(),
        to_field_name="code",
        help_text="Case theme code, e.g. DA.",
    )
    team_type = django_filters.ChoiceFilter(
        field_name="case__team__team_type", choices=TeamType.choices
    )
    grade = django_filters.ChoiceFilter(
        field_name="final_grade", choices=Grade.choices, help_text="The final grade."
    )
    state = django_filters.ChoiceFilter(choices=AuditState.choices)
    kind = django_filters.ChoiceFilter(
        field_name="round__kind",
        choices=RoundKind.choices,
        help_text="Monthly force audits or inspection audits; both unless given.",
    )

    class Meta:
        model = Audit
        fields: list[str] = []

    def filter_month_from(self, queryset, name, value):
        return queryset.filter(round__month__gte=_month(value))

    def filter_month_to(self, queryset, name, value):
        return queryset.filter(round__month__lte=_month(value))


@dataclass(frozen=True)
class GradeCounts:
    key: dict
    good: int
    requires_improvement: int
    inadequate: int

    @property
    def total(self) -> int:
        return self.good + self.requires_improvement + self.inadequate

    def share(self, grade: str) -> int | None:
        return percent(getattr(self, grade), self.total)

    @property
    def share_good(self) -> int | None:
        return self.share(Grade.GOOD)

    @property
    def share_requires_improvement(self) -> int | None:
        return self.share(Grade.REQUIRES_IMPROVEMENT)

    @property
    def share_inadequate(self) -> int | None:
        return self.share(Grade.INADEQUATE)

    @property
    def counts(self) -> list[int]:
        return [self.good, self.requires_improvement, self.inadequate]


def grade_distribution(
    audits: QuerySet[Audit], group_by: list[str], moderated_only: bool = True
) -> list[GradeCounts]:
    """Counts of each final grade per combination of `group_by` dimensions, in one query, of
    `audits` from `audits_for_analyst`: grades hidden from the reader are not counted."""
    unknown = [d for d in group_by if d not in DIMENSIONS]
    if unknown:
        raise ValueError(f"Unknown dimension(s): {', '.join(unknown)}")
    graded = audits.filter(state=AuditState.MODERATED) if moderated_only else audits
    graded = selectors.with_visible_work(
        graded.filter(state__in=[AuditState.SUBMITTED, AuditState.MODERATED])
    )
    columns = [DIMENSIONS[d] for d in group_by]
    rows = (
        graded.order_by()
        .values(*columns)
        .annotate(
            **{
                grade: Count("pk", filter=Q(final_grade=grade))
                for grade in (g.value for g in GRADE_ORDER)
            }
        )
        .order_by(*columns)
    )
    return [
        GradeCounts(
            key={d: row[DIMENSIONS[d]] for d in group_by},
            good=row["good"],
            requires_improvement=row["requires_improvement"],
            inadequate=row["inadequate"],
        )
        for row in rows
    ]
