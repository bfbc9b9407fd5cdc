"""Coverage: audits by area, theme and team over twelve months, and when each team was sampled."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit_app.audits.models import Audit, RoundKind, RoundState
from audit_app.models import Area, Role
from audit_app.months import add_months, current_month
from audit_app.rounds import coverage
from tests import factories
from tests.builders import audited

pytestmark = pytest.mark.django_db


@pytest.fixture
def west(reference_data):
    return Area.objects.get(code="west")


@pytest.fixture
def south(reference_data):
    return Area.objects.get(code="south")


@pytest.fixture
def data(west, south):
    """Audits inside and outside the window, in rounds that count and rounds that do not."""
    audited(west, "DA", "response", 0)
    audited(west, "DA", "response", 3)
    audited(west, "DA", "cid", 3)
    audited(west, "CUST", "custody", 11, state=RoundState.REPORTED)
    audited(west, "MISS", "neighbourhood", 1, state=RoundState.OPEN)
    audited(west, "CSE", "cse", 12)  # thirteen months back: sampled, but out of the window
    audited(west, "ONL", "online", -1, state=RoundState.DRAFT)  # next month's draft round
    audited(west, "REF", "vulnerability-hub", 2, kind=RoundKind.INSPECTION, state=RoundState.OPEN)
    audited(south, "DA", "response", 2)
    audited(south, "RISK", "child-protection", 5)


def cell(result: coverage.Coverage, area: str, team: str, theme: str) -> int:
    found = next(a for a in result.areas if a.area.code == area)
    row = next(r for r in found.rows if r.team.code == team)
    return row.counts[[t.code for t in found.themes].index(theme)]


def test_counts_match_the_audits_in_the_database(data, west, south):
    result = coverage.coverage(areas=Area.objects.all())
    start, end = coverage.coverage_window()
    assert (start, end) == (add_months(current_month(), -11), current_month())

    # The same figures counted another way: every audit, filtered in Python.
    expected = Counter(
        (a.round.area.code, a.case.team.code, a.case.theme.code)
        for a in Audit.objects.select_related("round__area", "case__team", "case__theme")
        if a.round.kind == RoundKind.MONTHLY
        and a.round.state != RoundState.DRAFT
        and start <= a.round.month <= end
    )
    found = Counter()
    for area in result.areas:
        for row in area.rows:
            for theme, count in zip(area.themes, row.counts, strict=True):
                if count:
                    found[(area.area.code, row.team.code, theme.code)] = count
    assert found == expected
    assert cell(result, "west", "response", "DA") == 2
    assert cell(result, "west", "custody", "CUST") == 1
    assert cell(result, "west", "cse", "CSE") == 0, "thirteen months back is outside the window"
    assert cell(result, "west", "online", "ONL") == 0, "a draft round is not audited yet"
    assert cell(result, "west", "vulnerability-hub", "REF") == 0, "inspection rounds excluded"

    by_area = {a.area.code: a for a in result.areas}
    assert by_area["west"].total == 5 and by_area["south"].total == 2
    assert by_area["west"].theme_totals[[t.code for t in by_area["west"].themes].index("DA")] == 3
    teams = len(by_area["west"].rows)
    assert by_area["west"].gaps == teams * len(by_area["west"].themes) - 4


def test_last_sampled_is_each_teams_latest_monthly_round(data, west):
    result = coverage.coverage(areas=Area.objects.filter(pk=west.pk))
    rows = {r.team.code: r.last_sampled for r in result.areas[0].rows}
    assert rows["response"] == current_month()
    assert rows["cid"] == add_months(current_month(), -3)
    assert rows["cse"] == add_months(current_month(), -12), "sampled, though before the window"
    assert rows["online"] is None, "only a draft round"
    assert rows["vulnerability-hub"] is None, "only an inspection round"
    assert rows["control-room"] is None


def test_the_selector_takes_five_queries_whatever_the_data(west, south, django_assert_num_queries):
    with django_assert_num_queries(5):
        coverage.coverage(areas=Area.objects.all())
    audited(west, "DA", "response", 0)
    audited(south, "RISK", "cid", 4)
    audited(west, "CAI", "online", 7)
    with django_assert_num_queries(5):
        coverage.coverage(areas=Area.objects.all())


# The page --------------------------------------------------------------------------------------


def area_headings(html: str) -> list[str]:
    return re.findall(r'<h2 class="govuk-heading-l" id="area-[^"]+">([^<]+)</h2>', html)


def test_an_area_manager_sees_only_their_area(client, data, west):
    client.force_login(factories.user_with_role(Role.AUDIT_MANAGER, west))
    response = client.get(reverse("coverage"))
    assert response.status_code == 200
    html = response.content.decode()
    assert area_headings(html) == ["West"]
    assert html.count('role="img"') == 1
    assert '<option value="south"' not in html

    response = client.get(reverse("coverage"), {"area": "south"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Select one of your areas" in html
    assert area_headings(html) == ["West"], "another area's figures are never shown"


def test_a_force_manager_filters_by_area_without_javascript(client, data, south):
    client.force_login(factories.user_with_role(Role.AUDIT_MANAGER, None, force=south.force))
    html = client.get(reverse("coverage")).content.decode()
    assert area_headings(html) == ["East", "South", "West"]
    response = client.get(reverse("coverage"), {"area": "south"})
    assert response.status_code == 200
    html = response.content.decode()
    assert area_headings(html) == ["South"]
    assert '<option value="south" selected>' in html


def test_the_page_shows_a_labelled_heat_map_and_its_table_with_gaps_in_words(client, data, west):
    client.force_login(factories.user_with_role(Role.AUDIT_MANAGER, west))
    html = client.get(reverse("coverage")).content.decode()
    svg = re.search(r"<svg [^>]*>.*?</svg>", html, flags=re.DOTALL).group(0)
    assert 'role="img"' in svg and 'aria-label="Heat map of cases audited in West' in svg
    assert "<title>Heat map of cases audited in West" in svg
    assert "5 audits, " in svg
    assert "Response (non-specialist)" in svg and ">DA</text>" in svg
    table = html[html.index('<table class="govuk-table') :]
    response_row = re.search(
        r'<th scope="row" class="[^"]*">Response</th>(.*?)</tr>',
        table,
        flags=re.DOTALL,
    ).group(1)
    cells = re.findall(r'numeric">(.*?)</td>', response_row)
    assert cells[0] == "2" and "<strong>None</strong>" in cells[1]
    assert current_month().strftime("%b %Y") in response_row
    control_room = re.search(r"Force control room</th>(.*?)</tr>", table, flags=re.DOTALL)
    assert "<strong>Never</strong>" in control_room.group(1)


def test_the_page_is_for_audit_managers_only(client, west):
    for role in (Role.AUDITOR, Role.MODERATOR, Role.SENIOR_LEADER):
        client.force_login(factories.user_with_role(role, west))
        assert client.get(reverse("coverage")).status_code == 403


def test_the_page_takes_a_fixed_number_of_queries(
    client, west, south, django_assert_max_num_queries
):
    client.force_login(factories.user_with_role(Role.AUDIT_MANAGER, None, force=west.force))
    client.get(reverse("coverage"))  # the session's first use, not counted
    with CaptureQueriesContext(connection) as empty:
        assert client.get(reverse("coverage")).status_code == 200
    for months_ago in range(12):
        audited(west, "DA", "response", months_ago)
        audited(south, "MISS", "cid", months_ago)
    with django_assert_max_num_queries(len(empty)):
        assert client.get(reverse("coverage"), {"area": "west"}).status_code == 200
    with django_assert_max_num_queries(len(empty)):
        assert client.get(reverse("coverage")).status_code == 200


def test_heat_map_ids_are_unique_per_area(data):
    result = coverage.coverage(areas=Area.objects.all())
    svgs = [svg for _, svg in coverage.heat_maps(result)]
    ids = [i for svg in svgs for i in re.findall(r'\bid="([^"]+)"', svg)]
    assert len(ids) == len(set(ids))
    assert all(svg.startswith("<svg ") and 'width="100%"' in svg for svg in svgs)
    # The page's CSP allows no inline CSS: presentation attributes instead.
    assert not any("<style" in svg or " style=" in svg for svg in svgs)
    assert all('fill="#f3f2f1"' in svg and 'font-size="' in svg for svg in svgs)
