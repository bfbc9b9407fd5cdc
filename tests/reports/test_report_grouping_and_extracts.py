"""The report's areas for improvement grouped by finding theme, and team types defined from the
Team table: compiled, rendered to PDF and read back; and a report compiled before either still
renders as it did."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from audit_app.audits.models import Grade
from audit_app.models import Area, Team, TeamType
from audit_app.reports.models import ReportState
from audit_app.reports.rendering import render_report_html
from audit_app.reports.selectors import report_content
from tests.builders import Planned, build_month, pdf_text, people_for

MONTH = datetime.date(2026, 3, 1)
OLD_TEAM_TYPE_TEXT = (
    "Specialist teams: child protection, child sexual exploitation, online, vulnerability hub "
    "and custody."
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tagged_month(reference_data):
    """West's March: two themes on three cases, one untagged improvement, one case with neither;
    South has an improvement of its own. Each area also gets a team the fixtures do not have."""
    west, south = Area.objects.get(code="west"), Area.objects.get(code="south")
    Team.objects.create(
        area=west, code="rso", name="Sex offender management unit", team_type=TeamType.SPECIALIST
    )
    Team.objects.create(
        area=south, code="early-action", name="Early action team", team_type="non_specialist"
    )
    audits = build_month(
        area=west,
        month=MONTH,
        people=people_for(west),
        plan=[
            Planned(
                "DA",
                TeamType.NON_SPECIALIST,
                Grade.GOOD,
                Grade.INADEQUATE,
                tags=("Missed referral", "Supervision lacking"),
                improvement="Refer to the MASH the same day.",
            ),
            Planned("DA", TeamType.SPECIALIST, Grade.GOOD, tags=("Missed referral",)),
            Planned(
                "REF",
                TeamType.NON_SPECIALIST,
                Grade.REQUIRES_IMPROVEMENT,
                tags=("Supervision lacking",),
                improvement="Sergeant to review the referral within a day.",
            ),
            Planned(
                "CSE",
                TeamType.SPECIALIST,
                Grade.REQUIRES_IMPROVEMENT,
                improvement="Record the child's own words.",
            ),
            Planned("MISS", TeamType.SPECIALIST, Grade.GOOD),
        ],
    )
    build_month(
        area=south,
        month=MONTH,
        people=people_for(south),
        plan=[
            Planned(
                "ONL",
                TeamType.NON_SPECIALIST,
                Grade.INADEQUATE,
                tags=("Supervision lacking",),
                improvement="Seize the devices at the first visit.",
            )
        ],
    )
    return west, south, [audit.case.reference for audit in audits]


def team_names(team_type: str, **where) -> list[str]:
    names = set(Team.objects.filter(team_type=team_type, **where).values_list("name", flat=True))
    return sorted(names, key=str.casefold)


def in_order(text: str, *parts: str) -> bool:
    """Whether each part appears in `text` after the one before it."""
    at = 0
    for part in parts:
        at = text.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return True


def test_the_pdf_lists_improvements_under_their_finding_theme(tagged_month, compiled):
    west, _, (both, missed_only, supervision_only, untagged, neither) = tagged_month
    version = compiled(force=west.force, area=west, month=MONTH)
    assert version.state == ReportState.READY, version.failure_reason
    text = pdf_text(version.file.read())

    section = text[text.index("Under each finding theme the moderators tagged") :]
    section = section[: section.index("Feedback to officers and supervisors")]
    # Themes most frequent first (a tie goes by name), each case with its team and improvement.
    assert in_order(
        section,
        "Missed referral (2 cases)",
        f"{both} · DA · Response (non-specialist)",
        "Refer to the MASH the same day.",
        f"{missed_only} · DA · Child protection team (specialist)",
        "No area for improvement recorded in the audit.",
        "Supervision lacking (2 cases)",
        f"{both} · DA · Response",
        "Refer to the MASH the same day.",
        f"{supervision_only} · REF · Response",
        "Sergeant to review the referral within a day.",
        "No finding theme tagged (1 case)",
        f"{untagged} · CSE · Child protection team",
        "Record the child's own words.",
    ), section
    assert neither not in section  # no theme and nothing to improve
    assert "Seize the devices" not in section  # South's case is not West's


def test_the_pdf_defines_team_types_from_the_area_s_teams(tagged_month, compiled):
    west, _, _ = tagged_month
    text = pdf_text(compiled(force=west.force, area=west, month=MONTH).file.read())

    specialist = team_names(TeamType.SPECIALIST, area=west)
    non_specialist = team_names(TeamType.NON_SPECIALIST, area=west)
    assert "Sex offender management unit" in specialist
    assert f"Specialist teams in the West area: {', '.join(specialist)}." in text
    assert f"Non-specialist teams in the West area: {', '.join(non_specialist)}." in text
    assert "Early action team" not in text
    assert OLD_TEAM_TYPE_TEXT not in text


def test_the_force_report_defines_team_types_across_its_areas(tagged_month, compiled):
    west, _, _ = tagged_month
    text = pdf_text(compiled(force=west.force, area=None, month=MONTH).file.read())

    force = {"area__force": west.force}
    specialist = team_names(TeamType.SPECIALIST, **force)
    non_specialist = team_names(TeamType.NON_SPECIALIST, **force)
    assert "Early action team" in non_specialist
    assert f"Specialist teams across the force: {', '.join(specialist)}." in text
    assert f"Non-specialist teams across the force: {', '.join(non_specialist)}." in text
    # Both areas' cases under the theme they share, each with its area.
    assert "Supervision lacking (3 cases)" in text
    assert "Seize the devices at the first visit." in text


def test_grouping_keeps_the_flat_list_for_other_readers(tagged_month):
    west, _, (both, _, supervision_only, untagged, _) = tagged_month
    content = report_content(force=west.force, area=west, month=MONTH, cutoff=timezone.now())

    grouped = content["improvement_by_theme"]
    assert [theme["name"] for theme in grouped["themes"]] == [
        "Missed referral",
        "Supervision lacking",
    ]
    # Cases in the report's order: by case theme (DA before REF), then reference.
    cases = [case["reference"] for case in grouped["themes"][1]["cases"]]
    assert cases == [both, supervision_only]
    assert [case["reference"] for case in grouped["untagged"]] == [untagged]
    assert {item["reference"] for item in content["improvement"]} == {
        both,
        supervision_only,
        untagged,
    }


def test_a_report_compiled_before_the_grouping_still_renders(tagged_month):
    west, _, (both, _, _, untagged, _) = tagged_month
    content = report_content(force=west.force, area=west, month=MONTH, cutoff=timezone.now())
    del content["improvement_by_theme"], content["team_types_defined"]

    html = render_report_html(content, number=1, generated_at=timezone.now(), for_pdf=True)
    assert OLD_TEAM_TYPE_TEXT in html
    assert "Under each finding theme" not in html
    assert both in html and untagged in html
    assert "Refer to the MASH the same day." in html
    assert "Record the child&#x27;s own words." in html


def test_a_month_with_nothing_to_improve_says_so(reference_data):
    west = Area.objects.get(code="west")
    build_month(area=west, month=MONTH, people=people_for(west), plan=[Planned("DA")])
    content = report_content(force=west.force, area=west, month=MONTH, cutoff=timezone.now())
    assert content["improvement_by_theme"] == {"themes": [], "untagged": []}

    html = render_report_html(content, number=1, generated_at=timezone.now(), for_pdf=True)
    assert "No areas for improvement were recorded this month." in html
