"""The monthly loop closed in a real browser: the audit manager imports the staff directory, the
moderator agrees a grade with a suggested finding theme and sends feedback to the officer and the
supervisor, both messages are read back from a real SMTP server, each recipient acknowledges from
their link without signing in, and the moderator's home page and the PVP report show it.
Real Chromium, axe on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from audit_app.audits.models import Answer, FindingTheme, ModerationPolicy
from audit_app.feedback.models import Feedback, FeedbackState
from audit_app.models import Area, Role, StaffMember
from audit_app.reports import services as report_services
from tests import factories
from tests.builders import assert_accessible, sign_in
from tests.walk_helpers import allocated_audit, answer_everything, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def report_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _directory_csv(team_code: str) -> bytes:
    return (
        "Staff number,Name,Rank,Email,Team,Line manager's number\n"
        f"S900,Dana Sergeant,DS,ds900@example.police.uk,west/{team_code},\n"
        f"4321,Pat Officer,DC,dc4321@example.police.uk,west/{team_code},S900\n"
    ).encode()


def _link(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://[^/\s]+(/feedback/acknowledge/[A-Za-z0-9_-]+/)", body)
    assert match, body
    return match.group(1)


def test_the_feedback_loop_closes(
    chromium, live_server, axe, reference_data, smtp_inbox, django_capture_on_commit_callbacks
):
    west = Area.objects.get(code="west")
    ModerationPolicy.objects.update_or_create(force=west.force, defaults={"blind_share_percent": 0})
    team = west.teams.order_by("pk").first()
    # The case names its officer and supervisor by number only, as the records system does.
    officer = StaffMember.objects.create(force=west.force, identifier="4321")
    supervisor = StaffMember.objects.create(force=west.force, identifier="S900")
    audit = allocated_audit(case__officer_in_case=officer, case__supervisor=supervisor)
    answer_everything(audit)
    Answer.objects.filter(audit=audit, question__code="Q18").update(
        value="partly", comment="Review acknowledged the log but set no actions."
    )
    submit(audit, grade="requires_improvement", reason="Supervision added little.")
    manager = factories.user_with_role(Role.AUDIT_MANAGER, None, force=west.force)
    moderator = factories.user_with_role(Role.MODERATOR, west)
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    supervision_theme = FindingTheme.objects.get(name="Supervision lacking")
    assert "Q18" in supervision_theme.evidence_question_codes

    def browser_for(user=None):
        context = chromium.new_context(base_url=live_server.url)
        context.set_default_timeout(20_000)
        page = context.new_page()
        if user is not None:
            sign_in(page, user.username, factories.TEST_PASSWORD)
        return context, page

    # 1. The audit manager imports the directory: names, emails, team, line manager.
    context, page = browser_for(manager)
    page.get_by_role("link", name="Staff directory").click()
    assert_accessible(page, axe, "staff directory")
    page.goto("/directory/imports/")
    assert_accessible(page, axe, "directory imports")
    page.locator("input[type=file]").set_input_files(
        {"name": "staff.csv", "mimeType": "text/csv", "buffer": _directory_csv(team.code)}
    )
    page.get_by_role("button", name="Upload and check").click()
    assert_accessible(page, axe, "directory import preview")
    page.get_by_role("button", name="Confirm and apply").click()
    for _ in range(100):
        officer.refresh_from_db()
        if officer.email:
            break
        page.wait_for_timeout(200)
    assert officer.email == "dc4321@example.police.uk" and officer.name == "Pat Officer"
    assert officer.line_manager_id == supervisor.pk
    context.close()

    # 2. The moderator agrees the grade; the supervision theme is suggested and kept.
    context, page = browser_for(moderator)
    page.goto(f"/moderation/audits/{audit.pk}/")
    expect(page.get_by_role("heading", name="Answers to look at")).to_be_visible()
    expect(
        page.get_by_text("Review acknowledged the log but set no actions.").first
    ).to_be_visible()
    assert_accessible(page, axe, "moderate an audit")
    theme_box = page.get_by_label("Supervision lacking")
    expect(theme_box).to_be_checked()
    page.get_by_label("Agreed the grade").check()
    page.get_by_role("button", name="Save and give feedback").click()
    expect(
        page.get_by_role("heading", name="Feedback to the officer and supervisor")
    ).to_be_visible()
    assert audit.moderations.get().themes.filter(pk=supervision_theme.pk).exists()

    # 3. Drafted from the audit, then sent to both by email.
    page.get_by_role("button", name="Draft feedback from the audit").click()
    assert_accessible(page, axe, "feedback drafted")
    supervisor_text = page.get_by_label("Areas for improvement").nth(1)
    expect(supervisor_text).to_have_value(re.compile("Question 18 \\(Partly\\)"))
    page.get_by_role("button", name="Send by email to the officer in the case").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been sent")
    page.get_by_role("button", name="Send by email to the supervisor").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been sent")
    assert_accessible(page, axe, "feedback sent")
    context.close()

    # 4. Both messages arrive over SMTP; each recipient acknowledges from the link, signed out.
    by_address = {message["To"]: message for message in smtp_inbox.wait_for(2)}
    assert set(by_address) == {"dc4321@example.police.uk", "ds900@example.police.uk"}
    for message in by_address.values():
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert "Grade agreed at moderation: Requires improvement" in body
        context, page = browser_for(None)
        page.goto(_link(message))
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Confirm you have read your case audit feedback"
        )
        assert_accessible(page, axe, "acknowledge feedback")
        page.get_by_role("button", name="I have read this feedback").click()
        expect(page.get_by_role("heading", name="Feedback acknowledged")).to_be_visible()
        assert_accessible(page, axe, "feedback acknowledged")
        page.goto(_link(message))  # the link works once
        expect(page.get_by_role("heading", name="This link cannot be used")).to_be_visible()
        context.close()
    assert set(Feedback.objects.filter(audit=audit).values_list("state", flat=True)) == {
        FeedbackState.ACKNOWLEDGED
    }

    # 5. The moderator's home shows nothing owed; the feedback page shows both acknowledged.
    context, page = browser_for(moderator)
    expect(page.get_by_role("heading", name="Feedback still owed")).to_be_visible()
    expect(page.get_by_text("No feedback is owed")).to_be_visible()
    page.goto(f"/moderation/audits/{audit.pk}/feedback/")
    expect(page.locator(".govuk-tag", has_text="Acknowledged")).to_have_count(2)
    context.close()

    # 6. The month's PVP report shows each recipient's feedback as acknowledged.
    with django_capture_on_commit_callbacks(execute=True):
        outcome = report_services.report_request(
            force=west.force, area=west, month=audit.round.month, by=None
        )
    context, page = browser_for(leader)
    page.goto(f"/reports/versions/{outcome.version.pk}/preview/")
    section = page.locator("#feedback")
    expect(section).to_contain_text("0 still owed")
    row = section.locator("tbody tr", has_text=audit.case.reference)
    expect(row.get_by_role("cell")).to_have_text(["DA", team.name, "acknowledged", "acknowledged"])
    context.close()
