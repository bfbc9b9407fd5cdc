"""Turn a report's compiled content into HTML (the browser preview) and PDF (WeasyPrint).

One template, `reports/document.html`, serves both: the PDF is the same HTML rendered with print
CSS, through the project's URL fetcher, which loads only the project's own static and media files.
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.safestring import mark_safe
from weasyprint import HTML

from audit_app import charts, statistics
from audit_app.pdf import BASE_URL, ProjectFilesFetcher

TEMPLATE = "reports/document.html"


def percent(count: int, total: int) -> str:
    """A share as the report prints it (audit_app.statistics.percent's rounding)."""
    value = statistics.percent(count, total)
    return "–" if value is None else f"{value}%"


@dataclass(frozen=True)
class Chart:
    """One chart's SVG: inline in the HTML preview; in the PDF an SVG image, which WeasyPrint
    draws without running the page's CSS cascade over each of its elements (a sixth faster)."""

    label: str
    svg: str

    @property
    def inline(self) -> str:
        return mark_safe(self.svg)  # noqa: S308 - drawn by matplotlib from our own numbers

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


@dataclass(frozen=True)
class GradeRow:
    label: str
    counts: list[int]
    code: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def cells(self) -> list[tuple[int, str]]:
        return [(count, percent(count, self.total)) for count in self.counts]


def _month_label(value: str) -> str:
    return f"{parse_date(value):%B %Y}"


def _date_or_none(value) -> datetime.date | None:
    if isinstance(value, str):
        return parse_date(value[:10])
    return None


def _short_month(value: str) -> str:
    return f"{parse_date(value):%b %y}"


def _total_row(rows: list[GradeRow], size: int) -> GradeRow:
    return GradeRow(label="All", counts=[sum(row.counts[i] for row in rows) for i in range(size)])


def report_context(
    content: dict,
    *,
    number: int,
    generated_at: datetime.datetime | None,
    for_pdf: bool,
    back_url: str = "",
) -> dict:
    grade_labels = [label for _, label in content["grades"]]
    size = len(grade_labels)
    scope = f"{content['area']} area" if content["area"] else f"{content['force']} (whole force)"
    month = _month_label(content["month"])
    themes = [
        GradeRow(label=theme["name"], code=theme["code"], counts=theme["counts"])
        for theme in content["themes"]
    ]
    team_types = [
        GradeRow(label=team["label"], code=team["code"], counts=team["counts"])
        for team in content["team_types"]
    ]
    total = _total_row(themes, size)
    trend = [
        {
            "month": _month_label(point["month"]),
            "row": GradeRow(label=_month_label(point["month"]), counts=point["counts"]),
            "good_by_team_type": [
                percent(point["by_team_type"][team.code][0], sum(point["by_team_type"][team.code]))
                for team in team_types
            ],
        }
        for point in content["trend"]
    ]
    matrix = content["moderation"]["matrix"]
    agreed = sum(matrix[i][i] for i in range(size))
    raised = sum(matrix[i][j] for i in range(size) for j in range(size) if j > i)
    lowered = sum(matrix[i][j] for i in range(size) for j in range(size) if j < i)
    finding = content["finding_themes"]
    chart_label = f"{scope}, {month}"
    chart_data = {}
    if total.total:
        label = f"Grades by case theme, {chart_label}: the table below gives the figures"
        chart_data["themes"] = Chart(
            label,
            charts.grade_share_bars(
                name="chart-themes",
                label=label,
                categories=[row.code or row.label for row in themes],
                counts=[row.counts for row in themes],
                grade_labels=grade_labels,
            ),
        )
        label = f"Grades by team type, {chart_label}: the table below gives the figures"
        chart_data["team_types"] = Chart(
            label,
            charts.grade_share_bars(
                name="chart-team-types",
                label=label,
                categories=[row.label for row in team_types],
                counts=[row.counts for row in team_types],
                grade_labels=grade_labels,
            ),
        )
    if any(point["row"].total for point in trend):
        label = f"Grades month by month to {month}: the table below gives the figures"
        chart_data["trend"] = Chart(
            label,
            charts.trend_bars(
                name="chart-trend",
                label=label,
                months=[_short_month(point["month"]) for point in content["trend"]],
                counts=[point["row"].counts for point in trend],
                grade_labels=grade_labels,
            ),
        )
    if finding:
        shown = finding[:10]
        label = f"Most frequent finding themes, {chart_label}: the table below gives them"
        chart_data["finding_themes"] = Chart(
            label,
            charts.count_bars(
                name="chart-finding-themes",
                label=label,
                categories=[entry["name"] for entry in shown],
                values=[entry["month"] for entry in shown],
            ),
        )
    grade_names = dict(content["grades"])
    actions = [
        {
            **action,
            "meeting_month": parse_date(action["meeting_month"]),
            "due_on": parse_date(action["due_on"]),
        }
        for action in content["actions"]
    ]
    recommendations = [
        {**rec, "due_on": _date_or_none(rec.get("due_on"))}
        for rec in content["recommendations"] or []
    ]
    return {
        "content": content,
        "for_pdf": for_pdf,
        "back_url": back_url,
        "scope": scope,
        "is_force_wide": not content["area"],
        "month": month,
        "number": number,
        "generated_at": generated_at,
        "cutoff": parse_datetime(content["cutoff"]),
        "grade_labels": grade_labels,
        "grade_names": grade_names,
        "themes": themes,
        "team_types": team_types,
        "total": total,
        "summary": [
            (label, count, share)
            for label, (count, share) in zip(grade_labels, total.cells, strict=True)
        ],
        "agreed_percent": percent(agreed, total.total),
        "actions": actions,
        "recommendations": recommendations,
        "trend": trend,
        "matrix": [GradeRow(label=grade_labels[i], counts=matrix[i]) for i in range(size)],
        "moderated": total.total,
        "agreed": agreed,
        "raised": raised,
        "lowered": lowered,
        "changes": content["moderation"]["changes"],
        "finding_themes": finding,
        "charts": chart_data,
    }


def render_report_html(content: dict, **options) -> str:
    return render_to_string(TEMPLATE, report_context(content, **options))


def render_report_pdf(html: str) -> tuple[bytes, int]:
    """The PDF and its page count."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=ProjectFilesFetcher()).render()
    return document.write_pdf(), len(document.pages)
