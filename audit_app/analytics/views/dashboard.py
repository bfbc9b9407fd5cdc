"""The dashboard: grade distributions by theme, month and team type, filterable, with tables."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit_app import charts, statistics
from audit_app.analytics import filters as analytics
from audit_app.audits.models import RoundKind
from audit_app.months import add_months, current_month
from audit_app.permissions import OVERSIGHT_ROLES, areas_for, role_required

GRADE_LABELS = [g.label for g in analytics.GRADE_ORDER]
DASHBOARD_FILTERS = ("area", "month_from", "month_to", "theme", "team_type", "basis")


def _table_rows(rows: list[analytics.GradeCounts]) -> list[dict]:
    """Each row's grade cells as statistics.count_and_share writes them: "3 (50%)" from five
    audits up, "1 of 3" below, the rule the report follows too."""
    return [
        {
            "key": row.key,
            "cells": [statistics.count_and_share(count, row.total) for count in row.counts],
            "total": row.total,
        }
        for row in rows
    ]


@role_required(*OVERSIGHT_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    for key in list(params):
        if key not in DASHBOARD_FILTERS or not params[key]:
            del params[key]
    if "month_from" not in params and "month_to" not in params:
        params["month_from"] = f"{add_months(current_month(), -11):%Y-%m}"
        params["month_to"] = f"{current_month():%Y-%m}"
    # The force's monthly figures: an inspector's own rounds are kept apart.
    params["kind"] = RoundKind.MONTHLY
    basis = params.pop("basis", ["moderated"])[-1]
    moderated_only = basis != "graded"
    filterset = analytics.AuditResultFilter(
        params, queryset=analytics.audits_for_analyst(request.user)
    )
    context = {
        "filterset": filterset,
        "areas": areas_for(request.user, OVERSIGHT_ROLES),
        "basis": "moderated" if moderated_only else "graded",
        "grade_labels": GRADE_LABELS,
        "min_audits_for_percent": statistics.MIN_AUDITS_FOR_PERCENT,
        "params": params,
        "export_query": params.urlencode(),
    }
    if filterset.is_valid():
        audits = filterset.qs
        by_theme = analytics.grade_distribution(audits, ["theme"], moderated_only)
        by_month = analytics.grade_distribution(audits, ["month"], moderated_only)
        by_team_type = analytics.grade_distribution(audits, ["theme", "team_type"], moderated_only)
        context.update(
            by_theme=_table_rows(by_theme),
            by_month=_table_rows(by_month),
            by_team_type=_table_rows(by_team_type),
            theme_chart=charts.grade_share_bars(
                name="dash-theme",
                label="Share of each grade by case theme",
                categories=[row.key["theme"] for row in by_theme],
                counts=[row.counts for row in by_theme],
                grade_labels=GRADE_LABELS,
            )
            if by_theme
            else "",
            month_chart=charts.trend_bars(
                name="dash-month",
                label="Share of each grade by month",
                months=[f"{row.key['month']:%b %y}" for row in by_month],
                counts=[row.counts for row in by_month],
                grade_labels=GRADE_LABELS,
            )
            if by_month
            else "",
            total=sum(row.total for row in by_theme),
        )
    status = 200 if filterset.is_valid() else 400
    return render(request, "analytics/dashboard.html", context, status=status)
