"""The recommendations API: read for senior leaders, inspectors and audit managers; actions
written by the audit manager, assessments by their assessors and never changed; recommendations
added with reasons for refusal; evidence; and its OpenAPI schema."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.urls import include, path
from django.utils import timezone
from rest_framework.test import APIClient

from audit_app.audits.models import AuditState
from audit_app.models import Area, Force, Role
from recommendations.models import ProgressAssessment, Recommendation, RecommendationAction
from tests import factories
from tests.builders import make_audit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()

# The names the API's enums need beside the project's ENUM_NAME_OVERRIDES (settings.py).
ENUM_NAME_OVERRIDES = {
    "ActionStateEnum": "recommendations.models.ActionState",
    "RatingEnum": "recommendations.models.Rating",
    "AssessorKindEnum": "recommendations.models.AssessorKind",
    "HeadingEnum": "recommendations.models.Heading",
    "TimescaleEnum": "recommendations.models.Timescale",
}


@pytest.fixture
def lancashire(reference_data) -> Force:
    call_command(
        "loaddata", "recommendation_evidence_2017", "recommendation_assessments_2018", verbosity=0
    )
    return Force.objects.get(code="lancashire")


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def as_role(api: APIClient, role: str, force: Force, area: Area | None = None):
    user = factories.user_with_role(role, area, force=force)
    api.force_authenticate(user)
    return user


def rec(number: int) -> Recommendation:
    return Recommendation.objects.get(number=number, inspection__reference="lancashire-ncpi-2017")


def test_readers_list_recommendations_with_state_and_ratings(api, lancashire):
    as_role(api, Role.SENIOR_LEADER, lancashire)
    RecommendationAction.objects.create(
        recommendation=rec(7),
        description="Brief sergeants.",
        owner="Head of crime",
        due_on=TODAY - datetime.timedelta(days=1),
    )
    response = api.get("/api/recommendations/")
    assert response.status_code == 200
    results = {r["number"]: r for r in response.json()["results"]}
    assert len(results) == 10
    seven = results[7]
    assert (seven["heading"], seven["heading_label"], seven["timescale"]) == (
        "investigation",
        "Investigation",
        "immediately",
    )
    assert (seven["plan_state"], seven["overdue_actions"]) == ("overdue", 1)
    assert seven["latest_inspector_rating"] is None, "the review gives no rating"
    assert seven["latest_inspector_on"] == "2018-12-31"
    assert seven["latest_project_reading_rating"] == "partly_achieved"
    assert results[1]["plan_state"] == "no_actions"

    detail = api.get(f"/api/recommendations/{rec(10).pk}/").json()
    assert [p["order"] for p in detail["points"]] == [1, 2, 3]
    assert (detail["evidence_questions"], detail["evidence_themes"]) == (
        ["Q21", "Q22", "Q23"],
        ["CUST"],
    )


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.MODERATOR])
def test_other_roles_may_not_read_the_api(api, lancashire, role):
    as_role(api, role, lancashire, Area.objects.get(code="west"))
    for url in (
        "/api/recommendations/",
        f"/api/recommendations/{rec(7).pk}/",
        "/api/recommendation-actions/",
        "/api/assessments/",
        "/api/inspections/",
    ):
        response = api.get(url)
        assert response.status_code == 403, url
        assert "senior leaders, inspectors and audit managers" in response.json()["detail"]


def test_anonymous_requests_are_refused(api, lancashire):
    response = api.get("/api/recommendations/")
    assert response.status_code in (401, 403)  # 401 where a token scheme is offered
    assert "detail" in response.json()


def test_another_forces_records_are_404(api, lancashire):
    other_area = factories.AreaFactory()
    other = factories.RecommendationFactory(
        inspection=factories.InspectionFactory(force=other_area.force)
    )
    other_action = RecommendationAction.objects.create(
        recommendation=other, description="Theirs.", owner="Them", due_on=TODAY
    )
    as_role(api, Role.INSPECTOR, lancashire)
    assert api.get(f"/api/recommendations/{other.pk}/").status_code == 404
    assert api.get(f"/api/recommendations/{other.pk}/evidence/").status_code == 404
    assert api.get(f"/api/recommendation-actions/{other_action.pk}/").status_code == 404
    assert other.pk not in [r["id"] for r in api.get("/api/recommendations/").json()["results"]]
    response = api.post(
        "/api/assessments/",
        {
            "recommendation": other.pk,
            "kind": "inspector",
            "assessed_on": str(TODAY),
            "rating": "achieved",
            "narrative": "Seen.",
        },
        format="json",
    )
    assert response.status_code == 404


def test_audit_manager_adds_and_changes_an_action(api, lancashire):
    as_role(api, Role.AUDIT_MANAGER, lancashire)
    point = rec(7).points.get(order=1)
    response = api.post(
        "/api/recommendation-actions/",
        {
            "recommendation": rec(7).pk,
            "point": point.pk,
            "description": "Set a 28-day review for response teams.",
            "owner": "Head of crime",
            "due_on": "2030-01-31",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["state"], created["point_order"], created["revision"]) == (
        "not_started",
        1,
        0,
    )
    url = f"/api/recommendation-actions/{created['id']}/"
    changed = api.patch(url, {"state": "complete", "revision": 0}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["state"], changed.json()["completed_on"]) == ("complete", str(TODAY))
    assert changed.json()["description"] == "Set a 28-day review for response teams."

    stale = api.patch(url, {"owner": "Someone else", "revision": 0}, format="json")
    assert stale.status_code == 409
    assert stale.json()["owner"] == "Head of crime" and stale.json()["revision"] == 1
    assert api.get(f"/api/recommendation-actions/?recommendation={rec(7).pk}").json()["count"] == 1


def test_bad_actions_are_refused_with_the_reason(api, lancashire):
    as_role(api, Role.AUDIT_MANAGER, lancashire)
    response = api.post(
        "/api/recommendation-actions/",
        {
            "recommendation": rec(7).pk,
            "point": rec(10).points.first().pk,
            "description": "Wrong point.",
            "owner": "Head of crime",
            "due_on": "2030-01-31",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["reasons"] == [
        "point: That bullet point is not part of this recommendation."
    ]
    response = api.post(
        "/api/recommendation-actions/",
        {"recommendation": rec(7).pk, "description": "x", "owner": "y", "due_on": "soon"},
        format="json",
    )
    assert response.status_code == 400 and "due_on" in response.json()["errors"]
    assert not RecommendationAction.objects.exists()


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.SENIOR_LEADER])
def test_only_the_audit_manager_writes_actions(api, lancashire, role):
    as_role(api, role, lancashire)
    action = RecommendationAction.objects.create(
        recommendation=rec(7), description="Theirs.", owner="PPU", due_on=TODAY
    )
    response = api.post(
        "/api/recommendation-actions/",
        {"recommendation": rec(7).pk, "description": "x", "owner": "y", "due_on": "2030-01-01"},
        format="json",
    )
    assert response.status_code == 403
    response = api.patch(
        f"/api/recommendation-actions/{action.pk}/", {"owner": "z", "revision": 0}, format="json"
    )
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.owner == "PPU"


def assessment(kind: str, **overrides) -> dict:
    data = {
        "recommendation": rec(7).pk,
        "kind": kind,
        "assessed_on": str(TODAY),
        "rating": "achieved",
        "narrative": "Audits show reviews every 28 days.",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("role", "kind", "expected"),
    [
        (Role.INSPECTOR, "inspector", 201),
        (Role.INSPECTOR, "force", 403),
        (Role.AUDIT_MANAGER, "force", 201),
        (Role.SENIOR_LEADER, "force", 201),
        (Role.AUDIT_MANAGER, "inspector", 403),
        (Role.SENIOR_LEADER, "inspector", 403),
        (Role.MODERATOR, "force", 403),
    ],
)
def test_assessments_by_their_assessors_only(api, lancashire, role, kind, expected):
    as_role(api, role, lancashire)
    before = ProgressAssessment.objects.count()
    response = api.post("/api/assessments/", assessment(kind), format="json")
    assert response.status_code == expected, response.json()
    assert ProgressAssessment.objects.count() == before + (expected == 201)


def test_assessments_are_never_changed_or_deleted(api, lancashire):
    user = as_role(api, Role.INSPECTOR, lancashire)
    first = api.post("/api/assessments/", assessment("inspector"), format="json").json()
    assert first["recorded_by"] == user.display_name
    url = f"/api/assessments/{first['id']}/"
    assert (
        api.put(url, assessment("inspector", rating="not_started"), format="json").status_code
        == 405
    )
    assert api.patch(url, {"rating": "not_started"}, format="json").status_code == 405
    assert api.delete(url).status_code == 405
    second = api.post(
        "/api/assessments/", assessment("inspector", rating="partly_achieved"), format="json"
    )
    assert second.status_code == 201
    listed = api.get(f"/api/assessments/?recommendation={rec(7).pk}&kind=inspector").json()
    assert [a["rating"] for a in listed["results"]] == [
        "partly_achieved",
        "achieved",
        None,  # the December 2018 review's words, kept; it gives no rating
    ]
    assert listed["results"][-1]["source_quote"].startswith("Supervision and the quality")
    assert api.get("/api/assessments/?kind=other").status_code == 400
    bad = api.post("/api/assessments/", assessment("inspector", narrative=" "), format="json")
    assert bad.status_code == 400


def test_a_recommendation_is_added_or_refused_with_the_reason(api, lancashire):
    inspection = rec(1).inspection
    as_role(api, Role.SENIOR_LEADER, lancashire)
    payload = {
        "inspection": inspection.pk,
        "number": 11,
        "heading": "Investigation",
        "timescale": "Within six months",
        "text": "Within six months, the force should review bail.",
        "points": ["using bail conditions;", "recording why."],
    }
    assert api.post("/api/recommendations/", payload, format="json").status_code == 403

    as_role(api, Role.AUDIT_MANAGER, lancashire)
    refused = api.post(
        "/api/recommendations/", {**payload, "heading": "Finance"}, format="json"
    ).json()
    assert refused["reasons"][0].startswith("Row 1 (recommendation 11): unknown heading “Finance”.")
    refused = api.post(
        "/api/recommendations/", {**payload, "timescale": "next year"}, format="json"
    )
    assert refused.status_code == 400 and "unknown timescale" in refused.json()["detail"]
    created = api.post("/api/recommendations/", payload, format="json")
    assert created.status_code == 201
    assert (created.json()["timescale"], created.json()["due_on"]) == ("six_months", "2018-09-01")
    again = api.post("/api/recommendations/", payload, format="json")
    assert again.status_code == 400 and "already recorded" in again.json()["detail"]


def test_evidence_endpoint_counts_within_the_users_areas(api, lancashire):
    west, south = Area.objects.get(code="west"), Area.objects.get(code="south")
    month = TODAY.replace(day=1)
    make_audit(area=west, month=month, answers={"Q21": "yes"}, theme="CUST")
    make_audit(area=south, month=month, answers={"Q21": "no"}, theme="CUST")
    make_audit(
        area=west,
        month=month,
        answers={"Q22": "partly"},
        theme="CUST",
        state=AuditState.MODERATED,
        grade="inadequate",
    )
    as_role(api, Role.SENIOR_LEADER, lancashire, west)
    response = api.get(f"/api/recommendations/{rec(10).pk}/evidence/")
    assert response.status_code == 200
    body = response.json()
    assert body["themes"] == ["CUST"]
    assert [q["code"] for q in body["questions"]] == ["Q21", "Q22", "Q23"]
    [found] = body["months"]
    assert (found["month"], found["yes"], found["partly"], found["no"], found["inadequate"]) == (
        str(month),
        1,
        1,
        0,
        1,
    )
    assert api.get(f"/api/recommendations/{rec(10).pk}/evidence/?months=0").status_code == 400


def test_schema_lists_the_endpoints(api, lancashire):
    api.force_authenticate(factories.UserFactory())
    paths = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert {
        "/api/inspections/",
        "/api/recommendations/",
        "/api/recommendations/{id}/",
        "/api/recommendations/{id}/evidence/",
        "/api/recommendation-actions/",
        "/api/recommendation-actions/{id}/",
        "/api/assessments/",
        "/api/assessments/{id}/",
    } <= set(paths)
    assert set(paths["/api/assessments/{id}/"]) == {"get"}
    assert "409" in paths["/api/recommendation-actions/{id}/"]["patch"]["responses"]


def test_the_recommendations_schema_has_no_warnings_with_its_enum_names():
    from django.conf import settings
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.plumbing import _load_enum_name_overrides
    from drf_spectacular.settings import patched_settings

    overrides = {**settings.SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {})}
    overrides.update(ENUM_NAME_OVERRIDES)
    _load_enum_name_overrides.cache_clear()
    GENERATOR_STATS.reset()
    try:
        with patched_settings({"ENUM_NAME_OVERRIDES": overrides}):
            generator = SchemaGenerator(
                patterns=[path("api/", include("recommendations.api_urls"))]
            )
            schema = generator.get_schema(request=None, public=True)
        warnings = dict(GENERATOR_STATS._warn_cache)
    finally:
        _load_enum_name_overrides.cache_clear()
        GENERATOR_STATS.reset()
    assert warnings == {}
    assert {"ActionStateEnum", "RatingEnum", "AssessorKindEnum", "PlanStateEnum"} <= set(
        schema["components"]["schemas"]
    )
