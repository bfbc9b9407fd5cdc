"""The analysts' API: tokens, scoping, strict filters, aggregates, exports and rate limits."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit_app.accounts import tokens
from audit_app.accounts.models import ApiToken
from audit_app.audits.models import AnswerValue, Grade, QuestionSet, RoundKind
from audit_app.models import Area, Role
from audit_app.months import add_months, current_month
from tests import factories
from tests.builders import graded_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def west(reference_data):
    return Area.objects.get(code="west")


def token_client(user) -> APIClient:
    _, key = tokens.token_create(user=user, name="BI")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_tokens_are_stored_hashed_shown_once_and_revocable(west):
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    token, key = tokens.token_create(user=leader, name="BI")
    assert key.startswith(f"ca_{token.prefix}_")
    assert key not in str(list(ApiToken.objects.values_list(flat=True)))
    assert ApiToken.objects.get().key_hash != key

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(reverse("api-audit-result-list")).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}x")
    response = client.get(reverse("api-audit-result-list"))
    assert response.status_code == 401 and "not valid" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")

    tokens.token_revoke(token=token)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(reverse("api-audit-result-list")).status_code == 401


def test_the_token_page_makes_and_revokes_tokens(client, west):
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    client.force_login(leader)
    response = client.post(reverse("api_tokens"), {"name": ""})
    assert response.status_code == 400 and "Give the token a name" in response.content.decode()
    response = client.post(reverse("api_tokens"), {"name": "Force BI"})
    page = response.content.decode()
    token = ApiToken.objects.get()
    assert "Copy your new token now" in page and f"ca_{token.prefix}_" in page
    assert "no-store" in response["Cache-Control"]
    key = re.search(r'<code class="app-token">([^<]+)</code>', page).group(1)
    assert tokens.token_authenticate(key) == token
    assert key not in client.get(reverse("api_tokens")).content.decode(), "shown only once"
    other = factories.user_with_role(Role.SENIOR_LEADER, west)
    client.force_login(other)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    client.force_login(leader)
    client.post(reverse("api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_results_are_scoped_to_the_users_areas(west):
    south = Area.objects.get(code="south")
    mine = graded_audit(west, Grade.GOOD, Grade.GOOD)
    theirs = graded_audit(south, Grade.GOOD, Grade.GOOD)
    client = token_client(factories.user_with_role(Role.SENIOR_LEADER, west))
    listed = client.get(reverse("api-audit-result-list")).json()
    assert [row["id"] for row in listed["results"]] == [mine.pk]
    assert client.get(reverse("api-audit-result-detail", args=[theirs.pk])).status_code == 404
    auditor = token_client(factories.user_with_role(Role.AUDITOR, west))
    response = auditor.get(reverse("api-audit-result-list"))
    assert response.status_code == 403 and "audit managers" in response.json()["detail"]
    force_leader = token_client(
        factories.user_with_role(Role.SENIOR_LEADER, None, force=west.force)
    )
    assert force_leader.get(reverse("api-audit-result-list")).json()["count"] == 2


def test_unknown_or_bad_filters_are_refused(west):
    client = token_client(factories.user_with_role(Role.SENIOR_LEADER, west))
    response = client.get(reverse("api-audit-result-list"), {"colour": "blue"})
    assert response.status_code == 400
    assert "Unknown query parameter(s): colour" in response.json()["detail"]
    response = client.get(reverse("api-audit-result-list"), {"month_from": "Nov 2026"})
    assert response.status_code == 400 and "month_from" in response.json()["errors"]
    response = client.get(reverse("api-audit-result-list"), {"grade": "excellent"})
    assert response.status_code == 400
    response = client.get(reverse("api-aggregates"), {"group_by": "colour"})
    assert response.status_code == 400 and "Unknown group_by" in response.json()["detail"]


def test_filters_and_final_grade(west):
    changed = graded_audit(west, Grade.GOOD, Grade.INADEQUATE, theme="CUST", team_index=5)
    graded_audit(west, Grade.GOOD, Grade.GOOD, theme="DA")
    graded_audit(west, Grade.INADEQUATE, "", theme="DA")  # submitted, not moderated
    client = token_client(factories.user_with_role(Role.SENIOR_LEADER, west))
    rows = client.get(reverse("api-audit-result-list"), {"grade": "inadequate"}).json()["results"]
    assert {r["id"] for r in rows} >= {changed.pk}
    only = client.get(
        reverse("api-audit-result-list"),
        {"grade": "inadequate", "state": "moderated", "team_type": "non_specialist"},
    ).json()["results"]
    assert [(r["id"], r["grade"], r["final_grade"]) for r in only] == [
        (changed.pk, "good", "inadequate")
    ]


def test_aggregates_match_the_database(west):
    month = current_month()
    last = add_months(month, -1)
    expected = {
        (month, "DA"): (2, 1, 0),
        (month, "CUST"): (0, 0, 1),
        (last, "DA"): (1, 0, 1),
    }
    for (when, theme), counts in expected.items():
        for grade, n in zip(Grade.values, counts, strict=True):
            for _ in range(n):
                graded_audit(west, Grade.GOOD, grade, theme=theme, month=when)
    graded_audit(west, Grade.INADEQUATE, "", theme="DA")  # not moderated: not counted
    graded_audit(
        west,
        Grade.INADEQUATE,
        Grade.INADEQUATE,
        kind=RoundKind.MONTHLY,
        theme="CSE",
        month=add_months(month, -30),
    )
    client = token_client(factories.user_with_role(Role.MODERATOR, west))
    rows = client.get(
        reverse("api-aggregates"),
        {"group_by": "month,theme", "month_from": f"{last:%Y-%m}"},
    ).json()
    got = {
        (row["month"], row["theme"]): (row["good"], row["requires_improvement"], row["inadequate"])
        for row in rows
    }
    assert got == {(m.isoformat(), t): c for (m, t), c in expected.items()}
    graded = client.get(
        reverse("api-aggregates"),
        {"group_by": "theme", "basis": "graded", "month_from": f"{month:%Y-%m}"},
    ).json()
    assert {r["theme"]: r["total"] for r in graded} == {"DA": 4, "CUST": 1}


def test_exports_name_questions_by_code_and_escape_formulas(west):
    audit = graded_audit(west, Grade.GOOD, Grade.GOOD)
    questions = list(QuestionSet.objects.get(version=1).questions.order_by("number")[:2])
    factories.AnswerFactory(audit=audit, question=questions[0], value=AnswerValue.YES)
    factories.AnswerFactory(
        audit=audit, question=questions[1], value=AnswerValue.NO, comment='=HYPERLINK("x")'
    )
    client = token_client(factories.user_with_role(Role.AUDIT_MANAGER, west))
    response = client.get(reverse("api-export", args=["csv"]), {"comments": "1"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))
    assert header[:3] == ["audit_id", "area", "month"]
    assert questions[0].code in header and f"{questions[1].code}_comment" in header
    assert row[header.index(questions[1].code)] == "no"
    assert row[header.index(f"{questions[1].code}_comment")] == '\'=HYPERLINK("x")'

    response = client.get(reverse("api-export", args=["xlsx"]), {"theme": "DA"})
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet_rows = list(workbook["Audits"].iter_rows(values_only=True))
    assert sheet_rows[0][0] == "audit_id" and sheet_rows[1][0] == audit.pk
    assert sheet_rows[1][sheet_rows[0].index(questions[0].code)] == "yes"
    assert client.get(reverse("api-export", args=["csv"]), {"nope": 1}).status_code == 400


def test_rate_limits_answer_429_with_retry_after(west, settings):
    from django.core.cache import cache
    from rest_framework.settings import api_settings
    from rest_framework.throttling import UserRateThrottle

    cache.clear()
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "3/minute"}
    original = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = rates
    try:
        client = token_client(factories.user_with_role(Role.SENIOR_LEADER, west))
        codes = [client.get(reverse("api-audit-result-list")).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        response = client.get(reverse("api-audit-result-list"))
        assert int(response["Retry-After"]) > 0
        assert "throttled" in response.json()["detail"].lower()
    finally:
        UserRateThrottle.THROTTLE_RATES = original
        cache.clear()


def test_result_queries_do_not_grow_with_data(west, django_assert_max_num_queries):
    client = token_client(factories.user_with_role(Role.SENIOR_LEADER, west))
    graded_audit(west, Grade.GOOD, Grade.GOOD)
    url = reverse("api-audit-result-list")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(25):
        graded_audit(west, Grade.GOOD, Grade.GOOD)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).json()["count"] == 26


def test_dashboard_shows_counts_and_refuses_bad_months(client, west):
    graded_audit(west, Grade.GOOD, Grade.INADEQUATE, theme="CUST")
    graded_audit(west, Grade.GOOD, Grade.GOOD, theme="CUST")
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    client.force_login(leader)
    page = client.get(reverse("dashboard")).content.decode()
    table = page[page.index('id="by-theme"') :]
    assert "CUST" in table and "1 of 2" in table and "50%" not in table
    assert 'role="img"' in page
    response = client.get(reverse("dashboard"), {"month_from": "last year"})
    assert response.status_code == 400 and "Enter the month as YYYY-MM" in response.content.decode()
    graded_audit(west, Grade.GOOD, Grade.GOOD, theme="DA", kind=RoundKind.INSPECTION)
    empty = client.get(reverse("dashboard"), {"theme": "DA"}).content.decode()
    assert "No graded audits match these filters." in empty
    auditor = factories.user_with_role(Role.AUDITOR, west)
    client.force_login(auditor)
    assert client.get(reverse("dashboard")).status_code == 403


def test_api_errors_are_json_and_the_docs_page_is_served(client, west):
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    api = token_client(leader)
    response = api.get("/api/no-such-thing/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    client.force_login(leader)
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200 and b"<redoc spec-url=" in docs.content
    assert b"googleapis" not in docs.content, "the docs page loads nothing from the internet"
    schema = client.get(reverse("api-schema")).content.decode()
    for path in ("/api/audit-results/", "/api/aggregates/", "/api/exports/audits.{file_format}"):
        assert path in schema
    assert "apiToken" in schema


@pytest.mark.parametrize(
    "url",
    ["/api/reports/", "/api/recommendations/", "/api/assessments/", "/api/rounds/",
     "/api/audit-results/", "/api/meeting-actions/", "/api/case-imports/"],
)  # fmt: skip
def test_every_list_refuses_an_undocumented_parameter(west, url):
    manager = factories.user_with_role(Role.AUDIT_MANAGER, None, force=west.force)
    response = token_client(manager).get(url, {"colour": "blue"})
    assert response.status_code == 400
    assert "colour" in response.json()["detail"]
