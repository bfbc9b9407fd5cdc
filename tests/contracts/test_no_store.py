"""No cache keeps what a signed-in user sees: `Cache-Control: no-store, private` on every response.

tests/contracts/test_permission_matrix.py checks the header on every URL pattern for every kind
of user; these tests look at the responses the issue named (exports, the feedback sheet PDF,
audit pages) and at requests made with a personal API token, which the matrix does not send.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit_app.accounts import tokens
from audit_app.audits.models import AuditState, Grade, QuestionSet
from audit_app.models import Area, Role
from audit_app.models.reference import CaseTheme
from tests import factories
from tests.walk_helpers import agreed_audit, allocated_audit

pytestmark = pytest.mark.django_db


def not_cached(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.fixture
def west(reference_data) -> Area:
    return Area.objects.get(code="west")


def test_exports_are_not_cached_by_session_or_token(west):
    factories.AuditFactory(
        round=factories.AuditRoundFactory(area=west),
        case__area=west,
        case__theme=CaseTheme.objects.get(code="DA"),
        case__team=west.teams.first(),
        question_set=QuestionSet.objects.get(version=1),
        state=AuditState.SUBMITTED,
        grade=Grade.GOOD,
        submitted_at=timezone.now(),
    )
    manager = factories.user_with_role(Role.AUDIT_MANAGER, west)
    session = Client()
    session.force_login(manager)
    _, key = tokens.token_create(user=manager, name="BI")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    for client in (session, api):
        for file_format in ("csv", "xlsx"):
            response = client.get(reverse("api-export", args=[file_format]))
            assert response.status_code == 200
            assert not_cached(response), (file_format, response.get("Cache-Control"))
        results = client.get(reverse("api-audit-result-list"))
        assert results.status_code == 200 and not_cached(results)
    # A refusal to a token holder is not cached either.
    api.credentials(HTTP_AUTHORIZATION="Bearer ca_0000_wrong")
    assert not_cached(api.get(reverse("api-export", args=["csv"])))


def test_audit_pages_are_not_cached(west):
    audit = allocated_audit()
    client = Client()
    client.force_login(audit.auditor)
    for name in ("audit_overview", "audit_check"):
        response = client.get(reverse(name, args=[audit.pk]))
        assert response.status_code == 200 and not_cached(response), name
    assert not_cached(client.get(reverse("home")))


def test_the_feedback_sheet_and_its_pdf_are_not_cached(west):
    audit, moderator = agreed_audit()
    client = Client()
    client.force_login(moderator)
    url = reverse("audit_feedback_sheet", args=[audit.pk])
    page = client.get(url)
    assert page.status_code == 200 and not_cached(page)
    pdf = client.get(url, {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and not_cached(pdf)
