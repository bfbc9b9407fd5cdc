"""The auditor's API: the same rules as the pages, errors as JSON with a reason."""

import pytest
from rest_framework.test import APIClient

from audit_app.audits import selectors
from audit_app.audits.models import AuditState
from audit_app.models import Role
from tests import factories
from tests.walk_helpers import allocated_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def section_payload(detail: dict, code: str, value: str = "yes", comment: str = "") -> dict:
    section = next(s for s in detail["sections"] if s["code"] == code)
    return {
        "section": code,
        "fingerprint": section["fingerprint"],
        "answers": [
            {"question": q["code"], "value": value, "comment": comment}
            for q in section["questions"]
        ],
    }


def test_auditor_lists_only_their_own_audits(api, reference_data):
    mine = allocated_audit()
    allocated_audit()  # someone else's
    api.force_authenticate(mine.auditor)
    response = api.get("/api/audits/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_a_complete_walk_over_the_api(api, reference_data):
    audit = allocated_audit()
    api.force_authenticate(audit.auditor)
    detail = api.get(f"/api/audits/{audit.pk}/").json()
    assert detail["suggested_grade"] is None
    for section in detail["sections"]:
        response = api.post(
            f"/api/audits/{audit.pk}/answers/",
            section_payload(detail, section["code"]),
            format="json",
        )
        assert response.status_code == 200, response.json()
        detail = response.json()
    assert detail["suggested_grade"] == "good"
    response = api.post(
        f"/api/audits/{audit.pk}/submit/",
        {"grade": "good", "revision": detail["revision"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == AuditState.SUBMITTED
    again = api.post(
        f"/api/audits/{audit.pk}/answers/", section_payload(detail, "A"), format="json"
    )
    assert again.status_code == 400
    assert "cannot be changed" in again.json()["detail"]


def test_another_auditors_audit_is_404_in_the_api(api, reference_data):
    audit = allocated_audit()
    api.force_authenticate(factories.user_with_role(Role.AUDITOR, audit.round.area))
    assert api.get(f"/api/audits/{audit.pk}/").status_code == 404
    response = api.post(f"/api/audits/{audit.pk}/submit/", {"grade": "good", "revision": 0})
    assert response.status_code == 404
    assert "detail" in response.json()


def test_tampered_api_requests_are_refused_with_a_reason(api, reference_data):
    audit = allocated_audit()
    api.force_authenticate(audit.auditor)
    detail = api.get(f"/api/audits/{audit.pk}/").json()
    payload = section_payload(detail, "A")
    payload["answers"][0]["question"] = "Q21"  # custody question, not in a DA audit's section A
    response = api.post(f"/api/audits/{audit.pk}/answers/", payload, format="json")
    assert response.status_code == 400
    assert "not in section A" in response.json()["detail"]
    bad_value = section_payload(detail, "A", value="outstanding")
    response = api.post(f"/api/audits/{audit.pk}/answers/", bad_value, format="json")
    assert response.status_code == 400
    missing_comment = section_payload(detail, "A", value="no")
    response = api.post(f"/api/audits/{audit.pk}/answers/", missing_comment, format="json")
    assert response.status_code == 400
    assert "needs a comment" in response.json()["detail"]
    bad_grade = api.post(
        f"/api/audits/{audit.pk}/submit/", {"grade": "outstanding", "revision": 0}, format="json"
    )
    assert bad_grade.status_code == 400
    assert not audit.answers.exists()


def test_a_conflict_over_the_api_is_409_with_the_saved_answers(api, reference_data):
    audit = allocated_audit()
    api.force_authenticate(audit.auditor)
    detail = api.get(f"/api/audits/{audit.pk}/").json()
    first = section_payload(detail, "A", value="no", comment="First")
    assert api.post(f"/api/audits/{audit.pk}/answers/", first, format="json").status_code == 200
    stale = section_payload(detail, "A", value="yes")
    response = api.post(f"/api/audits/{audit.pk}/answers/", stale, format="json")
    assert response.status_code == 409
    body = response.json()
    assert {a["value"] for a in body["saved"]} == {"no"}
    assert set(audit.answers.values_list("value", flat=True)) == {"no"}


def test_the_audit_manager_may_read_but_not_write(api, reference_data):
    audit = allocated_audit()
    api.force_authenticate(factories.user_with_role(Role.AUDIT_MANAGER, audit.round.area))
    assert api.get(f"/api/audits/{audit.pk}/").status_code == 200
    walk = selectors.audit_walk(audit)
    payload = {
        "section": "A",
        "answers": [{"question": q.code, "value": "yes"} for q in walk.section("A").questions],
    }
    assert api.post(f"/api/audits/{audit.pk}/answers/", payload, format="json").status_code == 404
    assert api.get("/api/audits/").status_code == 403


def test_anonymous_api_requests_are_refused_as_json(api, reference_data):
    response = api.get("/api/audits/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "detail" in response.json()


def test_the_schema_lists_the_audit_endpoints(api, reference_data):
    api.force_authenticate(factories.UserFactory())
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/api/audits/",
        "/api/audits/{id}/",
        "/api/audits/{id}/answers/",
        "/api/audits/{id}/submit/",
    } <= set(paths)
    assert "409" in paths["/api/audits/{id}/answers/"]["post"]["responses"]


def test_the_openapi_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/moderation/audits/{id}/decision/" in target.read_text()
