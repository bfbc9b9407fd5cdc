"""The report's figures: compiled from the database, rendered to PDF, read back with pypdf."""

from __future__ import annotations

import datetime
import io
import re
from collections import Counter, defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from audit_app.audits.models import AuditState, Grade, Moderation, ModerationDecision, RoundKind
from audit_app.models import Area, Force, TeamType
from audit_app.models.reference import CaseTheme
from audit_app.reports.models import ReportState
from audit_app.reports.rendering import percent, render_report_html, render_report_pdf
from audit_app.reports.selectors import report_content
from tests.builders import Planned, build_month, build_months, pdf_text, people_for

MONTH = datetime.date(2026, 3, 1)
GRADES = [Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE]

pytestmark = pytest.mark.django_db


def row_text(counts: list[int]) -> str:
    """A table row as printed: "3 (50%)" from five audits up, the count "1 of 3" below."""
    total = sum(counts)
    if not total:
        cells = [f"{n}" for n in counts]
    elif total < 5:
        cells = [f"{n} of {total}" for n in counts]
    else:
        cells = [f"{n} ({percent(n, total)})" for n in counts]
    return " ".join(cells) + f" {total}"


@pytest.fixture
def month_of_audits(reference_data):
    """West and South in March 2026: graded, changed, tagged, picked, and some not moderated."""
    west, south = Area.objects.get(code="west"), Area.objects.get(code="south")
    west_people, south_people = people_for(west), people_for(south)
    build_month(
        area=west,
        month=MONTH,
        people=west_people,
        plan=[
            Planned(
                "DA",
                TeamType.NON_SPECIALIST,
                Grade.GOOD,
                Grade.INADEQUATE,
                tags=("Missed referral", "Supervision lacking"),
                improvement="Refer to the MASH the same day.",
            ),
            Planned(
                "DA",
                TeamType.SPECIALIST,
                Grade.GOOD,
                publicise=True,
                good_practice="Strategy discussion held within four hours.",
                tags=("Missed referral",),
            ),
            Planned(
                "MISS",
                TeamType.NON_SPECIALIST,
                Grade.REQUIRES_IMPROVEMENT,
                tags=("Missing child recorded as absent",),
            ),
            Planned("CSE", TeamType.SPECIALIST, Grade.REQUIRES_IMPROVEMENT, Grade.GOOD),
            Planned("CUST", TeamType.SPECIALIST, Grade.INADEQUATE),
            Planned(
                "REF", TeamType.NON_SPECIALIST, Grade.INADEQUATE, tags=("Supervision lacking",)
            ),
            Planned("CAI", TeamType.SPECIALIST, state=AuditState.SUBMITTED),
            Planned("RISK", TeamType.NON_SPECIALIST, state=AuditState.IN_PROGRESS),
        ],
    )
    build_month(
        area=south,
        month=MONTH,
        people=south_people,
        plan=[
            Planned("DA", TeamType.SPECIALIST, Grade.REQUIRES_IMPROVEMENT),
            Planned("ONL", TeamType.NON_SPECIALIST, Grade.GOOD, tags=("Missed referral",)),
            Planned("FI", TeamType.SPECIALIST, Grade.INADEQUATE, Grade.REQUIRES_IMPROVEMENT),
        ],
    )
    # The month before, for the trend; and an inspection round, kept apart.
    build_month(
        area=west,
        month=datetime.date(2026, 2, 1),
        people=west_people,
        plan=[Planned("DA", original=Grade.GOOD), Planned("MISS", original=Grade.INADEQUATE)],
    )
    build_month(
        area=west,
        month=MONTH,
        people=west_people,
        kind=RoundKind.INSPECTION,
        plan=[Planned("S46", original=Grade.INADEQUATE)],
    )
    return west, south


def expected_rows(area: Area | None, month: datetime.date):
    """The figures counted straight from the rows, without the report's aggregates."""
    by_theme: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    moderations = Moderation.objects.filter(
        audit__round__month=month,
        audit__round__kind=RoundKind.MONTHLY,
        audit__state=AuditState.MODERATED,
        decision__in=[ModerationDecision.AGREED, ModerationDecision.CHANGED],
    ).select_related("audit__case__theme", "audit__case__team")
    if area is not None:
        moderations = moderations.filter(audit__round__area=area)
    for moderation in moderations:
        grade = GRADES.index(moderation.agreed_grade)
        by_theme[moderation.audit.case.theme.code][grade] += 1
        by_type[moderation.audit.case.team.team_type][grade] += 1
    return by_theme, by_type


@pytest.mark.parametrize("scope", ["west", "force"])
def test_pdf_figures_match_the_database(month_of_audits, compiled, scope):
    west, _ = month_of_audits
    area = west if scope == "west" else None
    version = compiled(force=west.force, area=area, month=MONTH)
    assert version.state == ReportState.READY, version.failure_reason
    with version.file.open("rb") as handle:
        data = handle.read()
    text = pdf_text(data)

    by_theme, by_type = expected_rows(area, MONTH)
    total = [sum(row[i] for row in by_theme.values()) for i in range(3)]
    assert sum(total) == (6 if scope == "west" else 9)
    assert f"Audits counted {sum(total)} moderated audits" in text
    for theme in CaseTheme.objects.filter(is_active=True):
        counts = by_theme.get(theme.code, [0, 0, 0])
        assert f"{theme.code} {theme.name} {row_text(counts)}" in text, theme.code
    assert f"All {row_text(total)}" in text
    for team_type, label in TeamType.choices:
        assert f"{label} {row_text(by_type.get(team_type, [0, 0, 0]))}" in text, label

    # What moderation changed, good practice with the case reference and team, improvements.
    changed = Moderation.objects.filter(
        decision=ModerationDecision.CHANGED, audit__round__month=MONTH
    )
    if area:
        changed = changed.filter(audit__round__area=area)
    for moderation in changed.select_related("audit__case"):
        assert moderation.audit.case.reference in text
    assert "Strategy discussion held within four hours." in text
    assert "Refer to the MASH the same day." in text
    # The finding themes, most frequent first, with this month's counts.
    tags = Counter(
        name
        for name in Moderation.themes.through.objects.filter(
            moderation__audit__round__month=MONTH,
            **({"moderation__audit__round__area": area} if area else {}),
        ).values_list("findingtheme__name", flat=True)
    )
    # Ties go to the theme more frequent over seven months (none here), then by name.
    top, top_count = min(tags.items(), key=lambda item: (-item[1], item[0]))
    assert f"Most frequent finding theme: {top} ({top_count} audits)" in text
    # Not moderated: listed apart, never counted. The inspection round is kept apart.
    assert "2 audits of the month were not moderated by the data cut-off" in text
    assert "Submitted" in text and "In progress" in text
    assert "1 audit of the inspectorate's own rounds" in text
    # The trend shows February beside March, as counts: two audits are too few for a percentage.
    assert "February 2026 1 of 2 0 of 2 1 of 2 2" in text
    assert "1 (50%)" not in text
    # Marking, page numbers, contents, generation time and cut-off.
    reader = PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    assert version.page_count == pages
    for number, page in enumerate(reader.pages, start=1):
        page_text = " ".join(page.extract_text().split())
        assert page_text.count("OFFICIAL-SENSITIVE") >= 2, number
        assert f"Page {number} of {pages}" in page_text
    # The contents' twelve page numbers (floated right, so extracted before the titles).
    # (Safeguarding escalations: a new entry after the summary; the last twelve numbers.)
    contents = re.search(
        r"((?:\d+ ){12})Contents Summary Safeguarding escalations Grades by case theme", text
    )
    assert contents, "no contents with page numbers"
    numbers = [int(n) for n in contents[1].split()]
    assert numbers == sorted(numbers) and numbers[0] > 2 and numbers[-1] <= pages
    assert f"Generated {timezone.localtime(version.generated_at):%-d %B %Y, %H:%M}" in text
    assert f"Data as at {timezone.localtime(version.data_cutoff):%-d %B %Y, %H:%M}" in text
    # Progress on the 2017 recommendations (loaded with the reference data).
    assert "Recommendation 1 · Leadership, management and governance" in text
    assert "Recommendation 10 · Police detention" in text


def test_a_month_with_no_moderated_audits_makes_a_report_that_says_so(reference_data, compiled):
    west = Area.objects.get(code="west")
    build_month(
        area=west,
        month=MONTH,
        people=people_for(west),
        plan=[Planned("DA", state=AuditState.SUBMITTED)],
    )
    version = compiled(force=west.force, area=west, month=MONTH)
    assert version.state == ReportState.READY
    text = pdf_text(version.file.read())
    assert "There are no moderated audits for West area in March 2026" in text
    assert "1 audit of the month is not yet moderated" in text


def test_audits_moderated_after_the_cutoff_are_not_counted(month_of_audits):
    west, _ = month_of_audits
    cutoff = timezone.now() - datetime.timedelta(minutes=5)
    build_month(
        area=west,
        month=MONTH,
        people=people_for(west),
        plan=[Planned("FI", original=Grade.GOOD, moderated_at=timezone.now())],
    )
    content = report_content(force=west.force, area=west, month=MONTH, cutoff=cutoff)
    assert sum(sum(theme["counts"]) for theme in content["themes"]) == 0
    later = report_content(force=west.force, area=west, month=MONTH, cutoff=timezone.now())
    assert sum(sum(theme["counts"]) for theme in later["themes"]) == 7
    assert len(later["unmoderated"]) == 2


def test_compiling_takes_the_same_number_of_queries_whatever_the_data(reference_data):
    force = Force.objects.get(code="lancashire")
    areas = list(force.areas.order_by("pk"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            report_content(force=force, area=None, month=MONTH, cutoff=timezone.now())
        return len(context.captured_queries)

    build_months(areas=areas, last_month=MONTH, months=1, per_area=2)
    small = queries()
    build_months(areas=areas, last_month=MONTH, months=7, per_area=8, seed=8)
    assert queries() == small
    # +6 (force report): area against area (areas, grades, key answers, question wording) and
    # question findings (answers, question wording).
    # +2: safeguarding escalations (one query for figures and list) and the key messages.
    assert small <= 13 + 2 + 6 + 2  # +2: finding-theme tags per audit, and the teams by type


def test_the_html_preview_and_the_pdf_come_from_the_same_content(month_of_audits):
    west, _ = month_of_audits
    content = report_content(force=west.force, area=west, month=MONTH, cutoff=timezone.now())
    html = render_report_html(content, number=3, generated_at=timezone.now(), for_pdf=False)
    assert "PVP meeting report: West area, March 2026 (version 3)" in html
    assert html.count('role="img"') == 4  # every chart
    assert html.count("<table") >= 4  # each chart followed by its table
    pdf, pages = render_report_pdf(
        render_report_html(content, number=3, generated_at=timezone.now(), for_pdf=True)
    )
    assert pages > 3
    assert "PVP meeting report" in pdf_text(pdf)


def test_recommendations_show_not_yet_tracked_without_the_recommendations_summary(
    month_of_audits, monkeypatch
):
    from recommendations import selectors as recommendation_selectors

    west, _ = month_of_audits
    monkeypatch.delattr(recommendation_selectors, "report_summary")
    content = report_content(force=west.force, area=west, month=MONTH, cutoff=timezone.now())
    assert content["recommendations"] is None
    html = render_report_html(content, number=1, generated_at=timezone.now(), for_pdf=False)
    assert "Not yet tracked" in html
