"""The reports and meeting actions API: the same scope and rules as the pages, in the schema."""

from __future__ import annotations

import datetime

import pytest
import yaml
from django.core.cache import cache
from django.urls import reverse

from audit_app.models import Area, Force, Role
from audit_app.months import add_months
from audit_app.reports import services
from audit_app.reports.api import ReportRequestThrottle
from audit_app.reports.models import MeetingAction, PvpReportVersion, ReportState
from recommendations.models import Recommendation
from tests import factories
from tests.builders import ready_version

MONTH = datetime.date(2026, 3, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The API's rate-limit counters live in the cache, which outlives a test's transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(reference_data):
    force = Force.objects.get(code="lancashire")
    return {
        "force": force,
        "west": Area.objects.get(code="west"),
        "south": Area.objects.get(code="south"),
    }


def test_reports_list_is_scoped_and_filtered(client, org):
    ready_version(org["force"], org["west"], month=MONTH)
    ready_version(org["force"], org["south"], month=MONTH)
    ready_version(org["force"], org["west"], month=datetime.date(2026, 2, 1))
    client.force_login(factories.user_with_role(Role.SENIOR_LEADER, org["west"]))
    response = client.get("/api/reports/")
    body = response.json()
    assert response.status_code == 200, body
    assert body["count"] == 2
    assert {row["meeting"] for row in body["results"]} == {"West area"}
    row = client.get("/api/reports/?month=2026-03").json()["results"][0]
    assert (row["month"], row["number"], row["state"], row["is_current"]) == (
        "2026-03",
        1,
        "ready",
        True,
    )
    assert row["download_url"] == reverse("api-report-download", args=[row["id"]])
    assert client.get("/api/reports/?month=March").status_code == 400
    assert client.get("/api/reports/?state=done").status_code == 400


def test_asking_twice_joins_the_version_in_flight(client, org):
    client.force_login(factories.user_with_role(Role.AUDIT_MANAGER, org["west"]))
    first = client.post(
        "/api/reports/",
        {"area": org["west"].pk, "month": "2026-03"},
        content_type="application/json",
    )
    assert first.status_code == 202, first.json()
    second = client.post(
        "/api/reports/",
        {"area": org["west"].pk, "month": "2026-03"},
        content_type="application/json",
    )
    assert (first.json()["joined"], second.json()["joined"]) == (False, True)
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["state"] == ReportState.QUEUED  # on commit: never in a test transaction
    state = client.get(f"/api/reports/{first.json()['id']}/").json()
    assert state["state"] == "queued" and state["download_url"] is None
    assert PvpReportVersion.objects.count() == 1


def test_asking_is_refused_with_a_reason(client, org):
    leader = factories.user_with_role(Role.SENIOR_LEADER, org["west"])
    client.force_login(leader)
    post = lambda data: client.post("/api/reports/", data, content_type="application/json")  # noqa: E731
    assert post({"area": org["south"].pk, "month": "2026-03"}).status_code == 404
    assert post({"area": None, "month": "2026-03"}).status_code == 404  # not force-wide
    bad = post({"area": org["west"].pk, "month": "2026-13"})
    assert bad.status_code == 400 and "month" in bad.json()["errors"]
    future = post({"area": org["west"].pk, "month": "2099-01"})
    assert future.status_code == 400
    assert "cannot be ahead" in future.json()["detail"]
    client.force_login(factories.user_with_role(Role.MODERATOR, org["west"]))
    assert post({"area": org["west"].pk, "month": "2026-03"}).status_code == 403
    client.force_login(factories.user_with_role(Role.AUDITOR, org["west"]))
    assert client.get("/api/reports/").status_code == 403
    assert not PvpReportVersion.objects.exists()


def test_the_central_chair_asks_for_the_force_report(client, org):
    client.force_login(factories.user_with_role(Role.SENIOR_LEADER, None, force=org["force"]))
    response = client.post(
        "/api/reports/", {"area": None, "month": "2026-03"}, content_type="application/json"
    )
    assert response.status_code == 202
    assert (response.json()["area"], response.json()["meeting"]) == (None, "Whole force")


def test_meeting_actions_through_the_api(client, org):
    leader = factories.user_with_role(Role.SENIOR_LEADER, org["west"])
    client.force_login(leader)
    theme = factories.FindingThemeFactory()
    recommendation = Recommendation.objects.filter(inspection__force=org["force"]).first()
    created = client.post(
        "/api/meeting-actions/",
        {
            "area": org["west"].pk,
            "meeting_month": "2026-03",
            "description": "Internal campaign on the voice of the child.",
            "action_type": "campaign",
            "owner": "Head of PPU",
            "due_on": "2026-05-31",
            "themes": [theme.pk],
            "recommendation": recommendation.pk,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    action = created.json()
    assert (action["state"], action["themes"], action["recommendation"]) == (
        "agreed",
        [theme.pk],
        recommendation.pk,
    )
    assert recommendation.meeting_actions.count() == 1
    patched = client.patch(
        f"/api/meeting-actions/{action['id']}/",
        {"state": "in_progress"},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["state"] == "in_progress"
    assert patched.json()["themes"] == [theme.pk]  # unchanged fields stay
    assert client.get("/api/meeting-actions/").json()["count"] == 1

    bad = client.post(
        "/api/meeting-actions/",
        {"area": org["west"].pk, "meeting_month": "2026-03", "description": "x",
         "action_type": "poster", "owner": "x", "due_on": "2026-05-31"},
        content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 400 and "action_type" in bad.json()["errors"]
    early = client.post(
        "/api/meeting-actions/",
        {"area": org["west"].pk, "meeting_month": "2026-03", "description": "x",
         "action_type": "other", "owner": "x", "due_on": "2026-01-01"},
        content_type="application/json",
    )  # fmt: skip
    assert early.status_code == 400 and "before the meeting" in early.json()["detail"]

    client.force_login(factories.user_with_role(Role.SENIOR_LEADER, org["south"]))
    assert client.get(f"/api/meeting-actions/{action['id']}/").status_code == 404
    other = client.patch(
        f"/api/meeting-actions/{action['id']}/", {"state": "done"}, content_type="application/json"
    )
    assert other.status_code == 404
    assert MeetingAction.objects.get().state == "in_progress"


def test_the_schema_describes_reports_and_meeting_actions(client, org):
    client.force_login(factories.user_with_role(Role.SENIOR_LEADER, org["west"]))
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/reports/"])
    assert "get" in paths["/api/reports/{id}/"]
    assert (
        "application/pdf"
        in paths["/api/reports/{id}/download/"]["get"]["responses"]["200"]["content"]
    )
    assert {"get", "post"} <= set(paths["/api/meeting-actions/"])
    assert "patch" in paths["/api/meeting-actions/{id}/"]


def test_report_months_are_bounded_as_on_the_page(client, org):
    client.force_login(factories.user_with_role(Role.AUDIT_MANAGER, org["west"]))
    post = lambda month: client.post(  # noqa: E731
        "/api/reports/", {"area": org["west"].pk, "month": month}, content_type="application/json"
    )
    months = services.report_months()
    for month in ("1900-01", f"{add_months(months[-1], -1):%Y-%m}"):
        refused = post(month)
        assert refused.status_code == 400, month
        assert refused.json()["detail"].startswith("Choose a month from"), refused.json()
    assert not PvpReportVersion.objects.exists()
    assert post(f"{months[-1]:%Y-%m}").status_code == 202
    assert post(f"{months[0]:%Y-%m}").status_code == 202


def test_report_requests_are_limited_per_user(client, org, monkeypatch):
    monkeypatch.setattr(ReportRequestThrottle, "rate", "5/hour", raising=False)
    manager = factories.user_with_role(Role.AUDIT_MANAGER, org["west"])
    client.force_login(manager)
    months = [f"{month:%Y-%m}" for month in services.report_months()]
    answers = [
        client.post(
            "/api/reports/",
            {"area": org["west"].pk, "month": months[i % len(months)]},
            content_type="application/json",
        )
        for i in range(30)
    ]
    assert [a.status_code for a in answers] == [202] * 5 + [429] * 25
    assert int(answers[-1]["Retry-After"]) > 0
    assert "throttled" in answers[-1].json()["detail"].lower()
    assert PvpReportVersion.objects.count() == 5
    assert client.get("/api/reports/").status_code == 200  # only asking is limited
    # The same report asked for again while it is queued is joined: nothing new is made.
    client.force_login(factories.user_with_role(Role.AUDIT_MANAGER, org["west"]))
    again = client.post(
        "/api/reports/",
        {"area": org["west"].pk, "month": months[0]},
        content_type="application/json",
    )
    assert again.status_code == 202 and again.json()["joined"] is True
    assert PvpReportVersion.objects.count() == 5


def test_meeting_action_due_dates_must_be_plausible(client, org):
    client.force_login(factories.user_with_role(Role.SENIOR_LEADER, org["west"]))
    action = {
        "area": org["west"].pk,
        "meeting_month": "2026-03",
        "description": "Briefing on the voice of the child.",
        "action_type": "briefing",
        "owner": "DI West",
    }
    for due_on in ("0001-01-01", "9999-12-31"):
        refused = client.post(
            "/api/meeting-actions/", {**action, "due_on": due_on}, content_type="application/json"
        )
        assert refused.status_code == 400, due_on
        assert refused.json()["detail"].startswith("due_on: The date must be"), refused.json()
    created = client.post(
        "/api/meeting-actions/", {**action, "due_on": "2026-05-31"}, content_type="application/json"
    )
    assert created.status_code == 201
    patched = client.patch(
        f"/api/meeting-actions/{created.json()['id']}/",
        {"due_on": "9999-01-01"},
        content_type="application/json",
    )
    assert patched.status_code == 400 and "The date must be" in patched.json()["detail"]
    assert MeetingAction.objects.get().due_on == datetime.date(2026, 5, 31)
