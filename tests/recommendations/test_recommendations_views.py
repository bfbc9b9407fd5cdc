"""Recommendation pages: overview, one recommendation, the action plan and assessments, with their
permissions (another force's recommendation is a 404, the wrong role a 403) and query counts."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit_app.audits.models import AuditState, Grade
from audit_app.models import Area, Force, Role
from audit_app.months import add_months
from recommendations.models import (
    ActionState,
    AssessorKind,
    ProgressAssessment,
    Recommendation,
    RecommendationAction,
)
from tests import factories
from tests.builders import make_audit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)


@pytest.fixture
def lancashire(reference_data) -> Force:
    call_command(
        "loaddata", "recommendation_evidence_2017", "recommendation_assessments_2018", verbosity=0
    )
    return Force.objects.get(code="lancashire")


@pytest.fixture
def west(lancashire) -> Area:
    return Area.objects.get(code="west")


def user(role: str, area: Area | None, force: Force | None = None):
    return factories.user_with_role(role, area, force=force)


def rec(number: int) -> Recommendation:
    return Recommendation.objects.get(number=number, inspection__reference="lancashire-ncpi-2017")


def add_action(recommendation: Recommendation, **kwargs) -> RecommendationAction:
    state = kwargs.pop("state", ActionState.IN_PROGRESS)
    return RecommendationAction.objects.create(
        recommendation=recommendation,
        description=kwargs.pop("description", "Brief response sergeants on 28-day reviews."),
        owner=kwargs.pop("owner", "Head of crime"),
        due_on=kwargs.pop("due_on", TODAY + datetime.timedelta(days=30)),
        state=state,
        completed_on=TODAY if state == ActionState.COMPLETE else None,
        **kwargs,
    )


def test_overview_shows_state_ratings_and_trend(client, lancashire, west):
    add_action(rec(7), due_on=TODAY - datetime.timedelta(days=1))
    add_action(rec(1), state=ActionState.COMPLETE)
    make_audit(area=west, month=add_months(THIS_MONTH, -1), answers={"Q17": "no", "Q18": "no"})
    make_audit(area=west, month=THIS_MONTH, answers={"Q17": "yes", "Q18": "partly"})
    client.force_login(user(Role.SENIOR_LEADER, west))

    response = client.get(reverse("recommendations:overview"))
    assert response.status_code == 200
    rows = {
        row.recommendation.number: row for group in response.context["groups"] for row in group.rows
    }
    assert len(rows) == 10
    assert rows[7].state.label == "Overdue actions"
    assert rows[1].state.label == "All actions complete"
    assert rows[3].state.label == "No actions"
    assert rows[7].latest_inspector_rating is None, "the review gives no rating"
    assert rows[7].latest_project_reading_rating.label == "Partly achieved"
    assert (rows[7].trend.first.yes_percent, rows[7].trend.last.yes_percent) == (0, 50)
    html = response.content.decode()
    assert "Overdue actions" in html
    assert "0% in" in html and "50% in" in html and "rising" in html


def test_another_forces_recommendations_are_hidden(client, lancashire):
    other_area = factories.AreaFactory()
    other = factories.InspectionFactory(force=other_area.force)
    other_rec = factories.RecommendationFactory(inspection=other)
    client.force_login(user(Role.INSPECTOR, None, force=lancashire))

    overview = client.get(reverse("recommendations:overview"))
    numbers = [row.recommendation.pk for g in overview.context["groups"] for row in g.rows]
    assert other_rec.pk not in numbers and len(numbers) == 10
    assert client.get(reverse("recommendations:detail", args=[other_rec.pk])).status_code == 404
    assert client.get(reverse("recommendations:action_new", args=[other_rec.pk])).status_code == 404
    assert (
        client.get(
            reverse("recommendations:assessment_new", args=[other_rec.pk, "inspector"])
        ).status_code
        == 404
    )


def test_detail_shows_plan_overdue_tag_evidence_and_assessments(client, lancashire, west):
    add_action(rec(7), due_on=TODAY - datetime.timedelta(days=3), description="Late action.")
    add_action(rec(7), description="Current action.")
    make_audit(
        area=west,
        answers={"Q17": "partly", "Q19": "yes"},
        month=THIS_MONTH,
        state=AuditState.MODERATED,
        grade=Grade.REQUIRES_IMPROVEMENT,
    )
    client.force_login(user(Role.INSPECTOR, None, force=lancashire))

    response = client.get(reverse("recommendations:detail", args=[rec(7).pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in html
    assert html.count(">Overdue</strong>") == 1
    [month] = response.context["page"].evidence
    assert (month.yes, month.partly, month.requires_improvement) == (1, 1, 1)
    assert "Q17</strong>: Is there evidence of supervisory review" in html
    assert "Partly achieved" in html and "HMICFRS post-inspection review" in html
    assert "Record an inspector's assessment" in html
    assert "Add an action" not in html  # inspectors judge the plan; they do not write it


def test_auditor_reads_the_page_without_audit_results(client, lancashire, west):
    client.force_login(user(Role.AUDITOR, west))
    response = client.get(reverse("recommendations:detail", args=[rec(7).pk]))
    assert response.status_code == 200
    assert response.context["page"].evidence is None
    assert "Audit results are shown to moderators" in response.content.decode()


def test_themed_recommendation_names_its_themes(client, lancashire):
    client.force_login(user(Role.INSPECTOR, None, force=lancashire))
    html = client.get(reverse("recommendations:detail", args=[rec(10).pk])).content.decode()
    assert "of cases of children detained in police custody" in html


# --- The action plan ----------------------------------------------------------------------------


def action_post(**overrides) -> dict:
    data = {
        "point": "",
        "description": "Publish a 28-day review standard for response teams.",
        "owner": "Head of crime",
        "due_on": "30/6/2030",
        "state": "not_started",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_audit_manager_adds_an_action_to_a_point(client, lancashire, west):
    manager = user(Role.AUDIT_MANAGER, west)
    client.force_login(manager)
    recommendation = rec(7)
    point = recommendation.points.get(order=2)
    url = reverse("recommendations:action_new", args=[recommendation.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, action_post(point=str(point.pk)))
    assert response.status_code == 302
    assert response["Location"].endswith("#action-plan")
    action = recommendation.actions.get()
    assert (action.point, action.due_on, action.created_by) == (
        point,
        datetime.date(2030, 6, 30),
        manager,
    )


def test_bad_action_input_gets_an_error_summary_and_saves_nothing(client, lancashire, west):
    client.force_login(user(Role.AUDIT_MANAGER, None, force=lancashire))
    recommendation = rec(7)
    other_point = rec(10).points.first()
    url = reverse("recommendations:action_new", args=[recommendation.pk])

    response = client.post(url, action_post(description="", due_on="31/2/2030"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Describe the action" in html and "Enter the date as day, month and year" in html
    response = client.post(url, action_post(point=str(other_point.pk)))
    assert response.status_code == 400
    assert not RecommendationAction.objects.exists()


@pytest.mark.parametrize("role", [Role.SENIOR_LEADER, Role.INSPECTOR, Role.MODERATOR, Role.AUDITOR])
def test_only_the_audit_manager_changes_the_plan(client, lancashire, west, role):
    area = None if role in (Role.INSPECTOR, Role.SENIOR_LEADER) else west
    client.force_login(user(role, area, force=lancashire))
    action = add_action(rec(7))
    new_url = reverse("recommendations:action_new", args=[rec(7).pk])
    edit_url = reverse("recommendations:action_edit", args=[rec(7).pk, action.pk])
    assert client.get(new_url).status_code == 403
    assert client.post(new_url, action_post()).status_code == 403
    assert client.post(edit_url, action_post(revision=0)).status_code == 403
    assert RecommendationAction.objects.count() == 1


def test_completing_an_action_records_the_date(client, lancashire):
    client.force_login(user(Role.AUDIT_MANAGER, None, force=lancashire))
    action = add_action(rec(7))
    url = reverse("recommendations:action_edit", args=[rec(7).pk, action.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, action_post(state="complete", revision=action.revision))
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.state, action.completed_on, action.revision) == ("complete", TODAY, 1)


def test_an_action_of_another_recommendation_is_a_404(client, lancashire):
    client.force_login(user(Role.AUDIT_MANAGER, None, force=lancashire))
    action = add_action(rec(7))
    url = reverse("recommendations:action_edit", args=[rec(1).pk, action.pk])
    assert client.get(url).status_code == 404


def test_two_people_editing_one_action_do_not_overwrite_each_other(client, lancashire):
    client.force_login(user(Role.AUDIT_MANAGER, None, force=lancashire))
    action = add_action(rec(7))
    url = reverse("recommendations:action_edit", args=[rec(7).pk, action.pk])
    seen = action.revision
    first = client.post(url, action_post(owner="Head of PPU", revision=seen))
    assert first.status_code == 302

    second = client.post(url, action_post(owner="Response superintendent", revision=seen))
    assert second.status_code == 409
    html = second.content.decode()
    assert "Someone else changed this action" in html and "Owner: Head of PPU" in html
    action.refresh_from_db()
    assert action.owner == "Head of PPU"
    # Sending the form again, having seen the saved version, saves it.
    resend = client.post(url, action_post(owner="Response superintendent", revision=seen + 1))
    assert resend.status_code == 302
    action.refresh_from_db()
    assert action.owner == "Response superintendent"


# --- Assessments --------------------------------------------------------------------------------


def assessment_post(**overrides) -> dict:
    data = {
        "assessed_on": TODAY.strftime("%d/%m/%Y"),
        "rating": "partly_achieved",
        "narrative": "Audits show 28-day reviews in most specialist cases.",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("role", "kind", "allowed"),
    [
        (Role.AUDIT_MANAGER, "force", True),
        (Role.SENIOR_LEADER, "force", True),
        (Role.INSPECTOR, "force", False),
        (Role.MODERATOR, "force", False),
        (Role.INSPECTOR, "inspector", True),
        (Role.AUDIT_MANAGER, "inspector", False),
        (Role.SENIOR_LEADER, "inspector", False),
        (Role.INSPECTOR, "someone", False),
    ],
)
def test_who_records_which_assessment(client, lancashire, role, kind, allowed):
    client.force_login(user(role, None, force=lancashire))
    url = reverse("recommendations:assessment_new", args=[rec(7).pk, kind])
    before = ProgressAssessment.objects.count()
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url, assessment_post())
    assert response.status_code == (302 if allowed else 403)
    assert ProgressAssessment.objects.count() == before + (1 if allowed else 0)


def test_a_new_assessment_is_a_new_record_and_the_old_one_stays(client, lancashire):
    inspector = user(Role.INSPECTOR, None, force=lancashire)
    client.force_login(inspector)
    december = rec(7).assessments.get(kind=AssessorKind.INSPECTOR)
    url = reverse("recommendations:assessment_new", args=[rec(7).pk, "inspector"])
    client.post(url, assessment_post(rating="achieved"))
    client.post(url, assessment_post(rating="partly_achieved", narrative="Second look."))

    kept = list(
        rec(7)
        .assessments.filter(kind=AssessorKind.INSPECTOR)
        .order_by("pk")
        .values_list("rating", "recorded_by", "assessed_on")
    )
    assert kept == [
        (None, None, datetime.date(2018, 12, 31)),  # the review's words, no rating
        ("achieved", inspector.pk, TODAY),
        ("partly_achieved", inspector.pk, TODAY),
    ]
    december.refresh_from_db()
    assert december.narrative.startswith("A comprehensive audit regime")
    page = client.get(reverse("recommendations:detail", args=[rec(7).pk])).context["page"]
    assert [a.kind for a in page.inspector_assessments] == [AssessorKind.INSPECTOR] * 3
    assert page.inspector_assessments[-1].pk == december.pk


def test_bad_assessment_input_is_refused_with_the_reason(client, lancashire):
    client.force_login(user(Role.SENIOR_LEADER, None, force=lancashire))
    url = reverse("recommendations:assessment_new", args=[rec(7).pk, "force"])
    tomorrow = (TODAY + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    response = client.post(url, assessment_post(assessed_on=tomorrow, narrative=" "))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say what the assessment is based on" in html
    response = client.post(url, assessment_post(assessed_on=tomorrow))
    assert "must be today or in the past" in response.content.decode()
    response = client.post(url, assessment_post(assessed_on="1/1/2017"))
    assert "on or after the report&#x27;s publication, 1 March 2018" in response.content.decode()
    assert not ProgressAssessment.objects.filter(kind="force").exists()


# --- Query counts -------------------------------------------------------------------------------


def _grow(west: Area, months: int) -> None:
    for offset in range(months):
        for theme in ("DA", "MISS", "CUST", "CSE", "S46"):
            make_audit(
                area=west,
                month=add_months(THIS_MONTH, -offset),
                theme=theme,
                answers={"Q17": "yes", "Q13": "no", "Q21": "partly", "Q09": "yes", "Q19": "no"},
                state=AuditState.MODERATED,
            )
    for number in range(1, 11):
        add_action(rec(number), due_on=TODAY - datetime.timedelta(days=number))
        add_action(rec(number), state=ActionState.COMPLETE)


def _count(client, django_assert_max_num_queries, url: str, limit: int) -> None:
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


# Each includes one for the two-factor rule (has this user a confirmed device?), asked on every
# request of a session that has not passed the second factor.
@pytest.mark.parametrize(("page", "limit"), [("overview", 9), ("detail", 17)])
def test_pages_take_a_fixed_number_of_queries(
    client, lancashire, west, django_assert_max_num_queries, page, limit
):
    client.force_login(user(Role.SENIOR_LEADER, None, force=lancashire))
    url = (
        reverse("recommendations:overview")
        if page == "overview"
        else reverse("recommendations:detail", args=[rec(7).pk])
    )
    _count(client, django_assert_max_num_queries, url, limit)
    _grow(west, months=4)
    _count(client, django_assert_max_num_queries, url, limit)
