"""Every role signs in through a real Chromium and sees its home page, with no axe violation."""

import pytest

from audit_app.demo.world import DEMO_PASSWORD
from tests.builders import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME_HEADINGS = {
    "west.auditor": "Your audits this month",
    "west.moderator": "Audits waiting for moderation",
    "west.leader": "PVP meeting reports",
    "west.manager": "Rounds open now",
    "force.leader": "PVP meeting reports",
    "force.manager": "Rounds open now",
    "hmicfrs.inspector": "Inspection recommendations",
}


def test_wrong_password_then_every_role_signs_in_and_sees_its_home(page, axe, demo_logins):
    sign_in(page, "west.auditor", "not-the-password")
    summary = page.locator(".govuk-error-summary")
    assert "Enter a correct username and password" in summary.inner_text()
    assert page.title().startswith("Error: Sign in")
    assert_accessible(page, axe, "sign-in page with an error")

    for username, heading in HOME_HEADINGS.items():
        sign_in(page, username, DEMO_PASSWORD)
        page.wait_for_url("**/")
        assert page.get_by_role("heading", name=heading).is_visible(), username
        assert_accessible(page, axe, f"home page of {username}")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/sign-in/")


def test_sign_in_works_without_javascript(chromium, live_server, db):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/sign-in/")
        page.get_by_role("button", name="Sign in").click()
        assert "Enter your username" in page.locator(".govuk-error-summary").inner_text()
    finally:
        context.close()


def test_round_page_is_accessible(page, axe, demo_logins):
    sign_in(page, "force.manager", DEMO_PASSWORD)
    page.get_by_role("link", name="Rounds").first.click()
    assert_accessible(page, axe, "rounds list")
    page.locator("table a.govuk-link").first.click()
    assert page.get_by_role("heading", level=1).is_visible()
    assert_accessible(page, axe, "round detail")
