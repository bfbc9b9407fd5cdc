"""Honest about small numbers: counts where too few audits stand behind a share, a trend that
starts at the first month with data, and month-on-month changes called only beyond chance."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from audit_app.audits.models import Grade
from audit_app.models import Area, TeamType
from audit_app.reports import services
from audit_app.reports.models import PvpReportVersion, ReportState
from audit_app.reports.rendering import GradeRow, month_on_month
from audit_app.reports.selectors import report_content
from tests.builders import Planned, build_month, people_for

MONTH = datetime.date(2026, 3, 1)
LABELS = ["Good", "Requires improvement", "Inadequate"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def west(reference_data) -> Area:
    return Area.objects.get(code="west")


@pytest.fixture
def pdf_of(django_capture_on_commit_callbacks):
    """Compile the report of `month` through its task and read the PDF's text back."""

    def run(area: Area, month: datetime.date) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            outcome = services.report_request(force=area.force, area=area, month=month, by=None)
        version = PvpReportVersion.objects.get(pk=outcome.version.pk)
        assert version.state == ReportState.READY, version.failure_reason
        with version.file.open("rb") as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
        return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)

    return run


def plan(good: int, requires_improvement: int = 0, inadequate: int = 0) -> list[Planned]:
    grades = (
        [Grade.GOOD] * good
        + [Grade.REQUIRES_IMPROVEMENT] * requires_improvement
        + [Grade.INADEQUATE] * inadequate
    )
    return [Planned("DA", TeamType.SPECIALIST, grade) for grade in grades]


def test_a_month_of_three_audits_shows_counts_not_percentages(west, pdf_of):
    build_month(area=west, month=MONTH, people=people_for(west), plan=plan(1, 1, 1))
    text = pdf_of(west, MONTH)
    # The summary, the theme and team-type tables and the trend: "1 of 3", never 33%.
    assert "1 of 3 good" in text
    assert "1 of 3 1 of 3 1 of 3 3" in text
    assert "March 2026 1 of 3 1 of 3 1 of 3 3" in text
    assert "33%" not in text and "34%" not in text
    # Agreement at moderation is given as a count, without a percentage beside it.
    assert "agreed the auditor's grade in 3 of 3 audits and changed it in 0" in text
    assert "at least 5 audits stand behind it" in text


def test_five_audits_are_enough_for_percentages_with_their_ranges(west, pdf_of):
    build_month(area=west, month=MONTH, people=people_for(west), plan=plan(2, 2, 1))
    text = pdf_of(west, MONTH)
    assert "40% good (2)" in text
    # The trend row: each share with its 95% Wilson range (2 of 5: 12 to 77%; 1 of 5: 4 to 62%).
    assert "March 2026 2 (40%) 12–77% 2 (40%) 12–77% 1 (20%) 4–62% 5" in text


def test_the_trend_starts_at_the_first_month_with_data(west, pdf_of):
    people = people_for(west)
    build_month(area=west, month=datetime.date(2026, 1, 1), people=people, plan=plan(1))
    build_month(area=west, month=MONTH, people=people, plan=plan(2))
    months = [point["month"] for point in _content(west)["trend"]]
    assert months == ["2026-01-01", "2026-02-01", "2026-03-01"]
    text = pdf_of(west, MONTH)
    trend = text[text.index("Grades month by month") :]
    assert "January 2026 1 of 1 0 of 1 0 of 1 1" in trend
    assert "February 2026 0 0 0 0" in trend
    for padding in ("September 2025", "October 2025", "November 2025", "December 2025"):
        assert padding not in text


def test_a_month_without_earlier_data_has_a_trend_of_one_month(west):
    build_month(area=west, month=MONTH, people=people_for(west), plan=plan(1))
    assert [point["month"] for point in _content(west)["trend"]] == ["2026-03-01"]


def test_month_on_month_in_the_summary(west, pdf_of):
    people = people_for(west)
    build_month(area=west, month=datetime.date(2026, 2, 1), people=people, plan=plan(10))
    build_month(area=west, month=MONTH, people=people, plan=plan(0, 4, 6))
    text = pdf_of(west, MONTH)
    assert "Against February 2026 (10 moderated audits):" in text
    assert (
        "Good: 0% this month against 100% in February 2026: down, by more than chance alone" in text
    )
    assert "Inadequate: 60% this month against 0% in February 2026: up" in text


def _content(area: Area) -> dict:
    return report_content(force=area.force, area=area, month=MONTH, cutoff=timezone.now())


def _trend_content(before: list[int] | None, this: list[int]) -> dict:
    trend = [{"month": "2026-03-01", "counts": this}]
    if before is not None:
        trend.insert(0, {"month": "2026-02-01", "counts": before})
    return {"month": "2026-03-01", "trend": trend}


def test_month_on_month_in_counts_when_last_month_was_small():
    summary = month_on_month(
        _trend_content([1, 1, 0], [3, 2, 1]), LABELS, GradeRow("All", [3, 2, 1])
    )
    assert summary["intro"] == "Against February 2026 (2 moderated audits):"
    assert summary["lines"][0] == (
        "Good: 50% this month against 1 of 2 in February 2026: "
        "no clear change (the 95% ranges overlap)."
    )


def test_month_on_month_without_last_month():
    this = GradeRow("All", [1, 0, 0])
    summary = month_on_month(_trend_content(None, [1, 0, 0]), LABELS, this)
    assert summary == {
        "intro": "There were no moderated audits in February 2026 to compare this month with.",
        "lines": [],
    }
    assert (
        month_on_month(_trend_content(None, [0, 0, 0]), LABELS, GradeRow("All", [0, 0, 0])) is None
    )
