"""Text in charts is literal: names users type never reach matplotlib's maths parser.

A finding theme named `$\\frac{1}{0}$ and $x^$` once failed every later report of its area. Every
chart function, the coverage heat map and the one SVG helper they all pass through draw such text
as it is; a report tagged with the theme compiles and shows the name in its PDF and preview.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from matplotlib.figure import Figure
from pypdf import PdfReader

from audit_app import charts
from audit_app.audits.models import AuditState, Grade, QuestionSet, RoundState
from audit_app.models import Area, Role
from audit_app.models.reference import CaseTheme
from audit_app.months import add_months, current_month
from audit_app.reports import services
from audit_app.reports.models import PvpReportVersion, ReportState
from audit_app.rounds import coverage
from tests import factories

# Each once raised in mathtext (the first four) or was drawn as maths, not as written.
NAMES = [
    r"$\frac{1}{0}$ and $x^$",
    r"$\sqrt{}$",
    "$$",
    r"$\foo$",
    r"$\frac{1}{0}$ and $x^",
    "Cost $5 and $10",
    "50% of $a_{b}$",
]


def _text_of(svg: str) -> str:
    """What an SVG says: matplotlib writes each text's characters XML-escaped."""
    return svg.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


def test_every_chart_draws_names_literally():
    grades = ["$Good$", "Requires $improvement", "Inadequate"]
    drawn = {
        "grade share bars": charts.grade_share_bars(
            name="t1", label="l", categories=NAMES, counts=[[1, 2, 3]] * len(NAMES),
            grade_labels=grades,
        ),
        "trend bars": charts.trend_bars(
            name="t2", label="l", months=NAMES, counts=[[1, 1, 1]] * len(NAMES),
            grade_labels=grades,
        ),
        "count bars": charts.count_bars(
            name="t3", label="l", categories=NAMES, values=list(range(1, len(NAMES) + 1))
        ),
    }  # fmt: skip
    for chart, svg in drawn.items():
        text = _text_of(svg)
        for name in [*NAMES, *grades]:
            if chart != "count bars" or name in NAMES:
                assert name in text, f"{chart}: {name!r} not drawn as written"


def test_the_one_svg_helper_keeps_text_literal_whatever_style_a_figure_was_made_in():
    figure = Figure(figsize=(3, 2))
    axes = figure.add_subplot()
    axes.set_title(NAMES[0])
    axes.set_xticks([0, 1], NAMES[:2])
    axes.legend(["$x^"])
    text = _text_of(charts.figure_svg(figure, name="bare", label=NAMES[0]))
    assert NAMES[0] in text and NAMES[1] in text and "$x^" in text


@pytest.mark.django_db
def test_the_heat_map_draws_team_names_literally(reference_data):
    west = Area.objects.get(code="west")
    team = west.teams.order_by("pk").first()
    team.name = NAMES[0]
    themes = tuple(CaseTheme.objects.order_by("display_order")[:3])
    area = coverage.AreaCoverage(
        area=west,
        themes=themes,
        rows=(coverage.TeamRow(team=team, counts=(1, 0, 2), last_sampled=None),),
    )
    start, end = coverage.coverage_window()
    assert NAMES[0] in _text_of(coverage.heat_map_svg(area, start, end))


@pytest.mark.django_db
def test_a_theme_written_as_maths_makes_a_report_that_shows_it(
    client, reference_data, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    west = Area.objects.get(code="west")
    month = add_months(current_month(), -1)
    theme = factories.FindingThemeFactory(name=NAMES[0])
    audit = factories.AuditFactory(
        round=factories.AuditRoundFactory(
            area=west,
            month=month,
            state=RoundState.CLOSED,
            due_date=add_months(month, 1) - datetime.timedelta(days=1),
        ),
        case__area=west,
        case__theme=CaseTheme.objects.get(code="DA"),
        case__team=west.teams.order_by("pk").first(),
        question_set=QuestionSet.objects.get(version=1),
        state=AuditState.MODERATED,
        grade=Grade.GOOD,
        moderated_grade=Grade.GOOD,
        submitted_at=timezone.now(),
        moderated_at=timezone.now(),
    )
    moderation = factories.ModerationFactory(
        audit=audit, moderator=factories.user_with_role(Role.MODERATOR, west)
    )
    moderation.themes.set([theme])

    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.report_request(force=west.force, area=west, month=month, by=None)
    version = PvpReportVersion.objects.get(pk=outcome.version.pk)
    assert (version.state, version.failure_reason) == (ReportState.READY, "")
    pdf = PdfReader(io.BytesIO(version.file.read()))
    assert NAMES[0] in " ".join(page.extract_text() for page in pdf.pages)

    client.force_login(factories.user_with_role(Role.SENIOR_LEADER, west))
    preview = client.get(reverse("reports:preview", args=[version.pk]))
    assert preview.status_code == 200
    chart = preview.content.decode().split('aria-label="Most frequent finding themes')[1]
    assert NAMES[0] in _text_of(chart.split("</svg>")[0])
