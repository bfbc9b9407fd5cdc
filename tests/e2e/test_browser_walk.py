"""An auditor completes a whole case in a real Chromium: an error, a resume, a submission."""

import re

import pytest

from audit_app.audits.models import AuditState
from tests import factories
from tests.builders import assert_accessible, sign_in
from tests.walk_helpers import allocated_audit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_all_on_page(page, value: str = "yes") -> None:
    for group in page.locator(".govuk-radios").all():
        group.locator(f"input[value='{value}']").check()


def test_an_auditor_completes_a_case(chromium, live_server, axe, reference_data):
    audit = allocated_audit("CUST")
    username = audit.auditor.username
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    sign_in(page, username, factories.TEST_PASSWORD)
    page.get_by_role("link", name=f"Case {audit.case.reference}").click()
    assert page.get_by_role("heading", name=f"Audit of case {audit.case.reference}").is_visible()
    assert_accessible(page, axe, "audit task list")

    page.get_by_role("link", name="A. Initial contact").click()
    page.get_by_role("button", name="Save and continue").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert "Select an answer to question 1" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, axe, "section page with errors")

    answer_all_on_page(page)
    first_group = page.locator(".govuk-radios").first
    first_group.locator("input[value='partly']").check()
    page.locator("textarea").first.fill("Logged late, but flagged as involving a child.")
    page.get_by_role("button", name="Save and continue").click()
    assert page.get_by_role("heading", name="The voice of the child").is_visible()
    answer_all_on_page(page)
    page.get_by_role("button", name="Save and come back later").click()
    assert "Your answers have been saved" in page.locator(".govuk-notification-banner").inner_text()
    context.close()

    # Resume later, on another device: a fresh browser with no shared state.
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    sign_in(page, username, factories.TEST_PASSWORD)
    page.get_by_role("link", name=f"Case {audit.case.reference}").click()
    statuses = page.locator(".govuk-task-list__status").all_inner_texts()
    assert statuses[:2] == ["Completed", "Completed"]
    page.get_by_role("link", name="C. Risk and safeguarding").click()
    while page.get_by_role("button", name="Save and continue").count():
        answer_all_on_page(page)
        page.get_by_role("button", name="Save and continue").click()
    assert page.get_by_role(
        "heading", name="Check your answers before grading the case"
    ).is_visible()
    assert "Logged late" in page.content()
    assert_accessible(page, axe, "check your answers")

    page.get_by_role("link", name=re.compile("Change the answer to question 21")).click()
    assert page.get_by_role("heading", name="Custody").is_visible()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Continue to grade the case").click()
    assert "requires improvement" in page.locator(".govuk-inset-text").inner_text()
    page.get_by_label("Good", exact=True).check()
    page.get_by_role("button", name="Submit the audit").click()
    assert "differs from the suggested grade" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, axe, "grade page with an error")
    page.get_by_label("Reason for the grade").fill("The delay was explained in the log.")
    page.get_by_label("Areas for improvement").fill("Record the time the log was flagged.")
    page.get_by_role("button", name="Submit the audit").click()
    assert page.get_by_role("heading", name="Audit submitted").is_visible()
    assert_accessible(page, axe, "submitted confirmation")
    context.close()

    audit.refresh_from_db()
    assert audit.state == AuditState.SUBMITTED
    assert audit.grade == "good" and audit.suggested_grade == "requires_improvement"
    assert audit.submissions.count() == 1


def test_raising_a_concern_from_the_walk(page, axe, reference_data):
    audit = allocated_audit()
    sign_in(page, audit.auditor.username, factories.TEST_PASSWORD)
    page.goto(f"/audits/{audit.pk}/sections/C/")
    page.get_by_role("link", name=re.compile("raise a safeguarding concern")).click()
    assert_accessible(page, axe, "raise a concern")
    page.get_by_role("button", name="Send the concern now").click()
    assert (
        "Describe why the child may still be at risk"
        in page.locator(".govuk-error-summary").inner_text()
    )
    page.get_by_label("Why may the child still be at risk today?").fill(
        "Suspect still at the address."
    )
    page.get_by_role("button", name="Send the concern now").click()
    assert page.get_by_role("heading", name="Risk and safeguarding").is_visible()
    assert (
        "safeguarding concern has been sent"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    assert audit.escalations.count() == 1
