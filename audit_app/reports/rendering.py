"""Turn a report's compiled content into HTML (the browser preview) and PDF (WeasyPrint).

One template, `reports/document.html`, serves both: the PDF is the same HTML rendered with print
CSS, through the project's URL fetcher, which loads only the project's own static and media files.
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass

from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.safestring import mark_safe
from weasyprint import HTML

from audit_app import charts, statistics
from audit_app.months import add_months
from audit_app.pdf import BASE_URL, PDF_OPTIONS, ProjectFilesFetcher
from audit_app.reports.sections.areas import areas_display
from audit_app.reports.sections.escalations import escalations_for_display
from audit_app.reports.sections.questions import questions_display, recommendation_evidence

TEMPLATE = "reports/document.html"


def percent(count: int, total: int) -> str:
    """A share as the report prints it: a percentage from five audits up, else "1 of 3"
    (audit_app.statistics.share_text, the rule every share follows)."""
    return statistics.share_text(count, total)


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

    @property
    def alt(self) -> str:
        """The PDF figure's alternative text: what the chart shows, as the SVG's aria-label."""
        return charts.svg_label(self.svg) or self.label


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

    @property
    def texts(self) -> list[str]:
        """Each grade's table cell: "3 (50%)", or "1 of 3" where too few audits for a percent."""
        return [statistics.count_and_share(count, self.total) for count in self.counts]

    @property
    def ranges(self) -> list[str]:
        """Each grade's 95% Wilson interval, as statistics.interval_text gives it."""
        return [statistics.interval_text(count, self.total) for count in self.counts]

    @property
    def ranged(self) -> list[tuple[str, str]]:
        return list(zip(self.texts, self.ranges, strict=True))


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


_CHANGE_WORDS = {
    "up": "up, by more than chance alone explains",
    "down": "down, by more than chance alone explains",
    "no clear change": "no clear change (the 95% ranges overlap)",
}


def month_on_month(
    content: dict, grade_labels: list[str], this: GradeRow
) -> dict[str, object] | None:
    """This month's share of each grade against last month's, in words; a change only where the
    two months' 95% Wilson intervals do not overlap. None without audits this month."""
    if not this.total:
        return None
    previous = f"{add_months(parse_date(content['month']), -1):%Y-%m-%d}"
    before = next((point for point in content["trend"] if point["month"] == previous), None)
    before_counts = before["counts"] if before else [0] * len(grade_labels)
    before_total = sum(before_counts)
    last_month = _month_label(previous)
    if not before_total:
        return {
            "intro": f"There were no moderated audits in {last_month} to compare this month with.",
            "lines": [],
        }
    lines = []
    for label, count, before_count in zip(grade_labels, this.counts, before_counts, strict=True):
        change = statistics.compare_shares(count, this.total, before_count, before_total)
        lines.append(
            f"{label}: {percent(count, this.total)} this month against "
            f"{percent(before_count, before_total)} in {last_month}: {_CHANGE_WORDS[change]}."
        )
    return {
        "intro": (
            f"Against {last_month} ({before_total} moderated audit{pluralize(before_total)}):"
        ),
        "lines": lines,
    }


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
        {
            **rec,
            "due_on": _date_or_none(rec.get("due_on")),
            "evidence": recommendation_evidence(rec, percent),
        }
        for rec in content["recommendations"] or []
    ]
    context = {
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
        "agreed_percent": (
            percent(agreed, total.total) if statistics.shows_percent(total.total) else ""
        ),
        "month_on_month": month_on_month(content, grade_labels, total),
        "shows_percent": statistics.shows_percent(total.total),
        "min_audits_for_percent": statistics.MIN_AUDITS_FOR_PERCENT,
        "escalations": escalations_for_display(content.get("escalations")),
        "actions": actions,
        "recommendations": recommendations,
        "areas_section": areas_display(content.get("areas"), percent),
        "question_findings": questions_display(content.get("questions"), percent),
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
    context["feedback_rows"] = feedback_rows(
        content.get("feedback"), force_wide=not content["area"]
    )
    context["numbers"] = section_numbers(
        areas=bool(context["areas_section"]), questions=bool(context["question_findings"])
    )
    return context


def feedback_rows(feedback: dict | None, *, force_wide: bool) -> list[dict]:
    """Each audit's feedback row: every audit in an area report; in the force report (which
    gives each area's counts) only the audits whose officer or supervisor is still owed."""
    audits = (feedback or {}).get("audits", [])
    if not force_wide:
        return audits
    return [item for item in audits if "owed" in (item["officer"], item["supervisor"])]


# The report's sections in print order; the area and question sections only when present.
SECTIONS = [
    "summary",
    "escalations",
    "themes",
    "team_types",
    "areas",
    "questions",
    "trend",
    "moderation",
    "finding_themes",
    "good_practice",
    "improvement",
    "feedback",
    "actions",
    "recommendations",
    "not_counted",
    "method",
]


def section_numbers(*, areas: bool, questions: bool) -> dict[str, int]:
    """Each present section's number, counted in print order, so headings and contents agree."""
    absent = {name for name, shown in (("areas", areas), ("questions", questions)) if not shown}
    present = [name for name in SECTIONS if name not in absent]
    return {name: number for number, name in enumerate(present, start=1)}


def render_report_html(content: dict, **options) -> str:
    return render_to_string(TEMPLATE, report_context(content, **options))


def render_report_pdf(html: str) -> tuple[bytes, int]:
    """The PDF, tagged (PDF/UA-1: audit_app.pdf.PDF_OPTIONS), and its page count."""
    source = HTML(string=html, base_url=BASE_URL, url_fetcher=ProjectFilesFetcher())
    document = source.render(**PDF_OPTIONS)
    return document.write_pdf(**PDF_OPTIONS), len(document.pages)
