"""A moderator returns an audit, the auditor resubmits, the moderator changes the grade."""

import pytest

from audit_app.audits.models import AuditState, ModerationPolicy
from audit_app.models import Area, Role
from tests import factories
from tests.builders import assert_accessible, sign_in
from tests.walk_helpers import allocated_audit, answer_everything, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_return_resubmit_and_change_the_grade(chromium, live_server, axe, reference_data):
    area = Area.objects.get(code="west")
    ModerationPolicy.objects.update_or_create(force=area.force, defaults={"blind_share_percent": 0})
    audit = allocated_audit()
    answer_everything(audit)
    submit(audit)
    moderator = factories.user_with_role(Role.MODERATOR, area)

    def browser_for(user):
        context = chromium.new_context(base_url=live_server.url)
        page = context.new_page()
        sign_in(page, user.username, factories.TEST_PASSWORD)
        return context, page

    context, page = browser_for(moderator)
    page.get_by_role("link", name="Moderation", exact=True).click()
    assert_accessible(page, axe, "moderation queue")
    page.get_by_role("link", name=audit.case.reference).click()
    assert_accessible(page, axe, "moderate an audit")
    page.get_by_label("Returned to the auditor").check()
    page.get_by_role("button", name="Save my decision").click()
    assert (
        "Say what the auditor should look at again"
        in page.locator(".govuk-error-summary").inner_text()
    )
    page.get_by_label("Comments for the auditor").fill(
        "Say which supervisory entries you relied on."
    )
    page.get_by_role("button", name="Save my decision").click()
    assert "Your decision on case" in page.locator(".govuk-notification-banner").inner_text()
    context.close()

    context, page = browser_for(audit.auditor)
    page.get_by_role("link", name=f"Case {audit.case.reference}").click()
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "Say which supervisory entries you relied on." in banner
    page.get_by_role("link", name="Check answers and grade the case").click()
    page.get_by_role("button", name="Continue to grade the case").click()
    page.get_by_label("Good", exact=True).check()
    page.get_by_role("button", name="Submit the audit").click()
    assert page.get_by_role("heading", name="Audit submitted").is_visible()
    context.close()

    context, page = browser_for(moderator)
    page.goto(f"/moderation/audits/{audit.pk}/")
    page.get_by_label("Changed the grade").check()
    page.get_by_label("Requires improvement").check()
    page.get_by_label("Reason for changing the grade").fill("Supervision only acknowledged.")
    page.get_by_role("button", name="Save my decision").click()
    page.goto("/moderation/consistency/")
    assert page.get_by_role("heading", name="Consistency of grading").is_visible()
    assert_accessible(page, axe, "consistency")
    context.close()

    audit.refresh_from_db()
    assert audit.state == AuditState.MODERATED
    decisions = list(
        audit.moderations.order_by("created_at").values_list("decision", "agreed_grade")
    )
    assert decisions == [("returned", ""), ("changed", "requires_improvement")]
    assert audit.submissions.count() == 2
