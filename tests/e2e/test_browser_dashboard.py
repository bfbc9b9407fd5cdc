"""A senior leader filters the dashboard and makes an API token, with axe checks."""

import re

import pytest
from playwright.sync_api import expect

from audit_app.audits.models import Grade
from audit_app.models import Area, Role
from tests import factories
from tests.builders import assert_accessible, graded_audit, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_and_tokens(page, axe, reference_data):
    west = Area.objects.get(code="west")
    graded_audit(west, Grade.GOOD, Grade.INADEQUATE, theme="CUST", team_index=5)
    graded_audit(west, Grade.GOOD, Grade.GOOD, theme="DA")
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    sign_in(page, leader.username, factories.TEST_PASSWORD)

    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.locator("#by-theme")).to_contain_text("CUST")
    expect(page.locator("svg[role=img]")).to_have_count(2)
    assert_accessible(page, axe, "dashboard")
    page.get_by_label("Team type").select_option("specialist")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#by-theme")).not_to_contain_text("CUST")
    page.get_by_label("From (YYYY-MM)").fill("last year")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the month as YYYY-MM")
    assert_accessible(page, axe, "dashboard with an error")

    page.goto("/account/api-tokens/")
    page.get_by_label("Name").fill("Force BI")
    page.get_by_role("button", name="Create a token").click()
    key = page.locator(".app-token").inner_text()
    assert re.fullmatch(r"ca_[0-9a-f]{8}_[\w-]+", key)
    assert_accessible(page, axe, "API tokens")
    response = page.request.get("/api/aggregates/", headers={"Authorization": f"Bearer {key}"})
    assert response.status == 200 and response.json()
    page.get_by_role("button", name="Revoke Force BI").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is revoked")
