"""A senior leader generates the month's report, waits for it on a real worker, and downloads it;
the meeting's actions are recorded through the form. Real Chromium, axe on every page."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from audit_app.audits.models import Grade
from audit_app.models import Area, Role
from audit_app.months import add_months, current_month
from audit_app.reports.models import DownloadLog, MeetingAction
from tests import factories
from tests.builders import Planned, assert_accessible, build_month, people_for, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def report_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.celery_worker
def test_a_senior_leader_generates_waits_for_ready_and_downloads(
    chromium, live_server, axe, reference_data, celery_worker_on_broker
):
    west = Area.objects.get(code="west")
    month = add_months(current_month(), -1)
    build_month(
        area=west,
        month=month,
        people=people_for(west),
        plan=[
            Planned("DA", original=Grade.GOOD, publicise=True, good_practice="Joint visit."),
            Planned("CSE", original=Grade.REQUIRES_IMPROVEMENT, agreed=Grade.INADEQUATE),
            Planned("REF", original=Grade.INADEQUATE, tags=("Missed referral",)),
        ],
    )
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    context = chromium.new_context(base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        sign_in(page, leader.username, factories.TEST_PASSWORD)
        page.goto("/reports/")
        expect(page.get_by_role("heading", name="PVP meeting reports", level=1)).to_be_visible()
        assert_accessible(page, axe, "report list")
        page.get_by_label("Meeting").select_option(label="West area")
        page.get_by_label("Month reported on").select_option(label=f"{month:%B %Y}")
        page.get_by_role("button", name="Generate now").click()

        expect(page.get_by_role("heading", name=f"West area: {month:%B %Y}")).to_be_visible()
        assert_accessible(page, axe, "report page")
        # The worker compiles it; the page follows its state and shows the download when ready.
        expect(page.get_by_role("link", name="Download the PDF")).to_be_visible(timeout=60_000)
        expect(page.locator(".govuk-table")).to_contain_text("Ready")
        assert_accessible(page, axe, "report page, ready")

        with page.expect_download() as info:
            page.get_by_role("link", name="Download the PDF").click()
        download = info.value
        assert download.suggested_filename == f"pvp-report-lancashire-west-{month:%Y-%m}-v1.pdf"
        with open(download.path(), "rb") as handle:
            data = handle.read()
        # The file a leader downloads is the tagged one: language, title, a structure tree with
        # its headings and a described figure for each chart.
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert pdf.Root.MarkInfo.Marked is True
            assert str(pdf.Root.Lang) == "en-GB"
            title = str(pdf.open_metadata().get("dc:title", ""))
            assert title == f"PVP meeting report: West area, {month:%B %Y} (version 1)"
            tags = _structure_tags(pdf.Root.StructTreeRoot.K)
            assert tags.count("H1") == 1 and tags.count("H2") >= 10
            assert tags.count("Figure") == 4 and "TH" in tags
        text = " ".join(
            " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages
        )
        assert f"West area: {month:%B %Y}" in text
        assert "Audits counted 3 moderated audits" in text
        assert DownloadLog.objects.filter(user=leader).count() == 1

        page.get_by_role("link", name="Read it in the browser").click()
        expect(page.get_by_role("heading", name="3. Grades by case theme")).to_be_visible()
        assert page.locator("svg[role=img]").count() == 4
        assert_accessible(page, axe, "report preview")
    finally:
        context.close()


def test_a_senior_leader_records_the_meetings_actions(page, axe, reference_data):
    west = Area.objects.get(code="west")
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    sign_in(page, leader.username, factories.TEST_PASSWORD)
    page.goto("/reports/actions/")
    page.get_by_role("link", name="Record an action").click()
    page.get_by_role("button", name="Record the action").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Describe the action agreed")
    expect(summary).to_contain_text("Enter the date the action is due")
    assert page.title().startswith("Error:")
    assert_accessible(page, axe, "action form with errors")

    page.get_by_label("Action agreed").fill("Brief the force control room on THRIVE rationale.")
    page.get_by_label("Briefing to officers and staff").check()
    page.get_by_label("Owner").fill("Superintendent, force control room")
    due = add_months(current_month(), 1)
    page.get_by_label("Due date").fill(f"{due:%d/%m/%Y}")
    page.get_by_label("Missed referral").check()
    page.get_by_role("button", name="Record the action").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("recorded")
    expect(page.locator("table")).to_contain_text("Brief the force control room")
    assert_accessible(page, axe, "actions list")

    page.get_by_role("link", name=re.compile("Brief the force control room")).click()
    page.get_by_label("Done").check()
    page.get_by_role("button", name="Save the action").click()
    expect(page.locator("table")).to_contain_text("Done")
    action = MeetingAction.objects.get()
    assert (action.state, action.area_id, action.created_by_id) == ("done", west.pk, leader.pk)


def _structure_tags(node) -> list[str]:
    """Every structure element's tag in the tree below `node`, depth first."""
    if isinstance(node, pikepdf.Array):
        return [tag for kid in node for tag in _structure_tags(kid)]
    if isinstance(node, pikepdf.Dictionary) and "/S" in node:
        below = _structure_tags(node.K) if "/K" in node else []
        return [str(node.S)[1:], *below]
    return []
