"""In Chromium: the recommendations overview and one recommendation's page, the audit manager's
action plan (with an overdue action) and self-assessment, and an inspector's assessment, each page
checked with axe."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit_app.audits.models import AuditState, Grade
from audit_app.models import Area, Force, Role
from recommendations.models import (
    AssessorKind,
    ProgressAssessment,
    Recommendation,
    RecommendationAction,
)
from tests import factories
from tests.builders import assert_accessible, make_audit, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_overview_detail_action_plan_and_assessments(chromium, live_server, axe, reference_data):
    call_command(
        "loaddata", "recommendation_evidence_2017", "recommendation_assessments_2018", verbosity=0
    )
    force = Force.objects.get(code="lancashire")
    west = Area.objects.get(code="west")
    this_month = timezone.localdate().replace(day=1)
    make_audit(area=west, month=this_month, answers={"Q17": "yes", "Q18": "partly"})
    make_audit(
        area=west,
        month=this_month,
        answers={"Q17": "no"},
        state=AuditState.MODERATED,
        grade=Grade.INADEQUATE,
    )
    manager = factories.user_with_role(Role.AUDIT_MANAGER, None, force=force)
    inspector = factories.user_with_role(Role.INSPECTOR, None, force=force)
    last_week = (timezone.localdate() - datetime.timedelta(days=7)).strftime("%d/%m/%Y")

    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    sign_in(page, manager.username, factories.TEST_PASSWORD)
    page.get_by_role("link", name="Recommendations", exact=True).click()
    assert page.get_by_role("heading", name="Inspection recommendations").is_visible()
    table = page.locator("table.app-recommendations-table")
    assert table.locator("tbody tr").count() == 10
    assert_accessible(page, axe, "recommendations overview")

    page.get_by_role("link", name="recommendation 7").click()
    assert page.get_by_role("heading", name="Recommendation 7: Investigation").is_visible()
    evidence = page.locator("#evidence ~ table").first.inner_text()
    assert "Yes" in evidence and "Inadequate" in evidence
    assert_accessible(page, axe, "recommendation page")

    page.get_by_role("link", name="Add an action").click()
    page.get_by_role("button", name="Add the action").click()
    summary = page.locator(".govuk-error-summary")
    assert "Describe the action" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert_accessible(page, axe, "action form with errors")
    first_point = Recommendation.objects.get(number=7).points.get(order=1)
    page.get_by_label("What the action answers").select_option(value=str(first_point.pk))
    page.get_by_label("Action", exact=True).fill("Set a 28-day review for response teams.")
    page.get_by_label("Owner").fill("Head of crime")
    page.get_by_label("Due date").fill(last_week)
    page.get_by_label("In progress").check()
    page.get_by_role("button", name="Add the action").click()
    assert "The action has been added" in page.locator(".govuk-notification-banner").inner_text()
    row = page.locator("#action-plan ~ table tbody tr").first
    assert "Overdue" in row.locator(".govuk-tag--red").inner_text()
    assert "Point 1" in row.inner_text()
    assert_accessible(page, axe, "recommendation page with an overdue action")

    page.get_by_role("link", name="Record the force's self-assessment").click()
    page.get_by_label("Partly achieved").check()
    page.get_by_label("What the assessment is based on").fill(
        "Audits show supervisory review in most specialist cases."
    )
    assert_accessible(page, axe, "assessment form")
    page.get_by_role("button", name="Record the assessment").click()
    assert (
        "self-assessment has been recorded"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    page.get_by_role("link", name="All recommendations").click()
    seven = page.locator("table.app-recommendations-table tbody tr").nth(6).inner_text()
    assert "Overdue actions" in seven and "Partly achieved" in seven
    context.close()

    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    sign_in(page, inspector.username, factories.TEST_PASSWORD)
    page.goto("/recommendations/")
    page.get_by_role("link", name="recommendation 7").click()
    assert page.get_by_role("link", name="Add an action").count() == 0
    page.get_by_role("link", name="Record an inspector's assessment").click()
    page.get_by_label("Achieved", exact=True).check()
    page.get_by_label("What the assessment is based on").fill("Reviews seen in 9 of 10 cases.")
    page.get_by_role("button", name="Record the assessment").click()
    assert page.get_by_text("Reviews seen in 9 of 10 cases.").is_visible()
    assert_accessible(page, axe, "recommendation page after an inspector's assessment")
    context.close()

    action = RecommendationAction.objects.get()
    assert (action.point.order, action.created_by, action.state) == (1, manager, "in_progress")
    assessments = ProgressAssessment.objects.filter(recommendation=action.recommendation)
    # Recorded through the pages here; the shipped December 2018 review gave no rating.
    assert sorted(assessments.filter(recorded_by__isnull=False).values_list("kind", "rating")) == [
        (AssessorKind.FORCE, "partly_achieved"),
        (AssessorKind.INSPECTOR, "achieved"),
    ]
    review = assessments.get(recorded_by__isnull=True, kind=AssessorKind.INSPECTOR)
    assert review.rating in ("", None) and review.source_quote
