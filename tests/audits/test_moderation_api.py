"""The moderator's API: same rules as the pages, JSON errors with reasons."""

import pytest
from rest_framework.test import APIClient

from audit_app.audits.models import AuditState, FindingTheme, ModerationPolicy
from audit_app.models import Area, Role
from tests import factories
from tests.walk_helpers import allocated_audit, answer_everything, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def submitted(blind_share: int = 0):
    area = Area.objects.get(code="west")
    ModerationPolicy.objects.update_or_create(
        force=area.force, defaults={"blind_share_percent": blind_share}
    )
    audit = allocated_audit()
    answer_everything(audit)
    return submit(audit)


def test_queue_and_decision(api, reference_data):
    audit = submitted()
    moderator = factories.user_with_role(Role.MODERATOR, audit.round.area)
    api.force_authenticate(moderator)
    queue = api.get("/api/moderation/audits/", {"state": "submitted"}).json()
    assert [row["id"] for row in queue["results"]] == [audit.pk]
    detail = api.get(f"/api/moderation/audits/{audit.pk}/").json()
    assert detail["grade"] == "good" and detail["sections"]
    theme = FindingTheme.objects.get(name="Missed referral")
    response = api.post(
        f"/api/moderation/audits/{audit.pk}/decision/",
        {
            "decision": "changed",
            "agreed_grade": "inadequate",
            "reason": "Child left at risk.",
            "themes": [theme.pk],
            "new_themes": ["Log not flagged"],
            "revision": detail["revision"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert set(response.json()["themes"]) == {"Missed referral", "Log not flagged"}
    audit.refresh_from_db()
    assert audit.state == AuditState.MODERATED


def test_refusals_are_json_with_a_reason(api, reference_data):
    audit = submitted()
    moderator = factories.user_with_role(Role.MODERATOR, audit.round.area)
    api.force_authenticate(moderator)
    no_reason = api.post(
        f"/api/moderation/audits/{audit.pk}/decision/",
        {"decision": "changed", "agreed_grade": "inadequate", "revision": audit.revision},
        format="json",
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["detail"]
    stale = api.post(
        f"/api/moderation/audits/{audit.pk}/decision/",
        {"decision": "agreed", "revision": audit.revision - 1},
        format="json",
    )
    assert stale.status_code == 409
    unknown = api.get("/api/moderation/audits/", {"colour": "red"})
    assert unknown.status_code == 400 and "colour" in unknown.json()["detail"]
    bad_state = api.get("/api/moderation/audits/", {"state": "lost"})
    assert bad_state.status_code == 400
    assert not audit.moderations.exists()


def test_blind_audit_is_hidden_until_graded(api, reference_data):
    audit = submitted(blind_share=100)
    moderator = factories.user_with_role(Role.MODERATOR, audit.round.area)
    api.force_authenticate(moderator)
    hidden = api.get(f"/api/moderation/audits/{audit.pk}/").json()
    assert hidden["grade"] is None and "sections" not in hidden
    blind = api.post(
        f"/api/moderation/audits/{audit.pk}/blind-grade/", {"grade": "inadequate"}, format="json"
    )
    assert blind.status_code == 201
    shown = api.get(f"/api/moderation/audits/{audit.pk}/").json()
    assert shown["grade"] == "good"


def test_permissions(api, reference_data):
    audit = submitted()
    api.force_authenticate(factories.user_with_role(Role.MODERATOR, Area.objects.get(code="east")))
    assert api.get(f"/api/moderation/audits/{audit.pk}/").status_code == 404
    api.force_authenticate(audit.auditor)
    assert api.get("/api/moderation/audits/").status_code == 403
    assert api.get(f"/api/moderation/audits/{audit.pk}/").status_code == 403
    assert api.get("/api/themes/").status_code == 200
