"""The audit manager imports candidates, creates a round, selects, swaps, allocates and opens it."""

import csv
import datetime

import pytest
from playwright.sync_api import expect

from audit_app.audits.models import Audit, AuditRound, Case, RoundState
from audit_app.models import Area, Role
from audit_app.models.reference import CaseTheme
from audit_app.months import add_months, current_month
from audit_app.rounds import services as rounds
from tests import factories
from tests.builders import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def write_candidates(path, month: datetime.date) -> int:
    """Three cases per theme recorded in `month`, plus one bad row."""
    teams = ["response", "cid", "child-protection", "neighbourhood"]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["reference", "theme", "area", "team", "station", "occurred_on"])
        rows = 0
        for index, theme in enumerate(CaseTheme.objects.order_by("display_order")):
            for n in range(3):
                rows += 1
                writer.writerow([
                    f"WB-{index:02d}{n}", theme.code, "west", teams[(index + n) % 4],
                    f"Station {n}", (month + datetime.timedelta(days=n)).isoformat(),
                ])  # fmt: skip
        writer.writerow(["WB-BAD", "NOPE", "west", "response", "", month.isoformat()])
    return rows


def test_import_select_allocate_and_open(chromium, live_server, axe, reference_data, tmp_path):
    west = Area.objects.get(code="west")
    manager = factories.user_with_role(Role.AUDIT_MANAGER, west)
    auditors = [factories.user_with_role(Role.AUDITOR, west) for _ in range(2)]
    round_month = add_months(current_month(), 1)
    candidates = tmp_path / "candidates.csv"
    accepted = write_candidates(candidates, current_month())

    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    sign_in(page, manager.username, factories.TEST_PASSWORD)

    page.get_by_role("link", name="Rounds", exact=True).click()
    page.get_by_role("link", name="Import candidate cases").click()
    assert_accessible(page, axe, "import upload")
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a CSV or Excel file")
    page.get_by_label("Upload the export").set_input_files(str(candidates))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator("#accepted-count")).to_have_text(str(accepted))
    expect(page.locator("#import-rows")).to_contain_text("Unknown theme code 'NOPE'.")
    assert_accessible(page, axe, "import preview")
    assert Case.objects.count() == 0
    page.get_by_role("button", name=f"Confirm and save {accepted} cases").click()
    expect(page.locator("#saved-count")).to_have_text(str(accepted))

    page.goto("/rounds/new/")
    assert_accessible(page, axe, "new round")
    page.get_by_label("Month").fill(f"{round_month:%Y-%m}")
    page.get_by_label("Due date").fill("tomorrow")
    page.get_by_role("button", name="Create the round").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the due date as YYYY-MM-DD")
    page.get_by_label("Due date").fill(add_months(round_month, 1).isoformat())
    page.get_by_label("Force-interest topic").fill("Children missing from care homes")
    page.get_by_role("button", name="Create the round").click()

    page.get_by_label("Seed (optional)").fill("2018")
    page.get_by_role("button", name="Select the cases").click()
    expect(page.locator("#selection-seed")).to_have_text("2018")
    expect(page.locator("#selection tbody tr")).to_have_count(10)
    assert_accessible(page, axe, "round with selection")

    page.get_by_role("link", name="Change the CAI case").click()
    assert_accessible(page, axe, "change a slot")
    page.get_by_role("button", name="Leave it empty").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the slot is left empty")
    page.get_by_role("button", name="Swap for one at random").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("changed")

    page.get_by_role("button", name="Allocate to auditors").click()
    expect(page.locator("#allocation tbody tr .govuk-tag")).to_have_count(10)
    page.get_by_role("button", name="Open the round and email the auditors").click()
    expect(page.locator("#round-state")).to_have_text("Open")
    context.close()

    audit_round = AuditRound.objects.get(area=west, month=round_month)
    assert audit_round.state == RoundState.OPEN and audit_round.selection_seed == 2018
    loads = sorted(
        Audit.objects.filter(round=audit_round, auditor__in=auditors).values_list(
            "auditor", flat=True
        )
    )
    assert len(loads) == 10 and loads.count(auditors[0].pk) == 5
    assert rounds.round_readiness(audit_round) == []
