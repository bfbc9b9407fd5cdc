"""The coverage page in a real Chromium: heat maps and tables with no axe violation, and the area
filter working without JavaScript."""

import pytest

from audit_app.models import Area, Force, Role
from tests import factories
from tests.builders import assert_accessible, audited, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coverage_page_is_accessible_and_filters_by_area(
    chromium, live_server, axe, reference_data
):
    west, south = Area.objects.get(code="west"), Area.objects.get(code="south")
    audited(west, "DA", "response", 0)
    audited(west, "CUST", "custody", 4)
    audited(south, "RISK", "child-protection", 9)
    manager = factories.user_with_role(Role.AUDIT_MANAGER, None, force=Force.objects.get())

    for javascript in (True, False):
        context = chromium.new_context(base_url=live_server.url, java_script_enabled=javascript)
        page = context.new_page()
        console = []
        page.on("console", lambda message, console=console: console.append(message.text))
        sign_in(page, manager.username, factories.TEST_PASSWORD)
        page.goto("/coverage/")
        assert page.get_by_role("heading", name="Coverage", level=1).is_visible()
        assert page.get_by_role("img", name="Heat map of cases audited in West").count() == 1
        assert page.locator("svg[role=img]").count() == 3
        if javascript:
            assert_accessible(page, axe, "coverage, all areas")
        page.get_by_label("Area").select_option(label="South")
        page.get_by_role("button", name="Show coverage").click()
        page.wait_for_url("**/coverage/?area=south")
        assert page.locator("main h2").all_inner_texts() == ["South"]
        table = page.get_by_role("table", name="Cases audited in South")
        row = table.get_by_role("row", name="Child protection team")
        assert "None" in row.inner_text() and "1" in row.inner_text()
        if javascript:
            assert_accessible(page, axe, "coverage, one area")
        assert not [m for m in console if "Content Security Policy" in m], console
        context.close()
