"""The audit manager's pages: import, create a round, select, change a slot, allocate, close."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from audit_app.audits.models import Audit, AuditRound, Case, RoundState
from audit_app.models import Area, Role
from audit_app.models.reference import CaseTheme
from audit_app.months import add_months, current_month
from audit_app.rounds import services as rounds
from audit_app.rounds.models import CaseImport, CaseImportState, SelectionSlot
from tests import factories
from tests.builders import GOOD, candidate_cases, csv_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def west(reference_data):
    return Area.objects.get(code="west")


@pytest.fixture
def manager(west):
    return factories.user_with_role(Role.AUDIT_MANAGER, west)


def test_import_through_the_pages(client, manager):
    client.force_login(manager)
    bad = ["WE-9", "XX", "west", "response", "", "", "", "2026-10-03", ""]
    response = client.post(reverse("imports"), {"file": csv_upload([GOOD, bad])})
    case_import = CaseImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("import_detail", args=[case_import.pk])
    page = client.get(response.url).content.decode()
    assert "Unknown theme code &#x27;XX&#x27;." in page
    assert "Confirm and save 1 cases" in page
    assert not Case.objects.exists()

    rejected = client.get(response.url, {"outcome": "rejected"}).content.decode()
    assert "WE-9" in rejected and "WE-1001" not in rejected

    client.post(response.url, {"action": "confirm"})
    case_import.refresh_from_db()
    assert case_import.state == CaseImportState.IMPORTED
    assert list(Case.objects.values_list("reference", flat=True)) == ["WE-1001"]


def test_a_wrong_file_gets_an_error_summary_and_nothing_is_kept(client, manager):
    client.force_login(manager)
    response = client.post(reverse("imports"), {"file": csv_upload([GOOD], name="cases.pdf")})
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and "CSV or an Excel workbook" in page
    assert not CaseImport.objects.exists()
    response = client.post(reverse("imports"), {})
    assert "Choose a CSV or Excel file to upload" in response.content.decode()


def test_other_roles_and_areas_are_refused(client, manager, west):
    auditor = factories.user_with_role(Role.AUDITOR, west)
    client.force_login(auditor)
    for name in ("imports", "round_create", "coverage"):
        assert client.get(reverse(name)).status_code == 403
    audit_round = rounds.round_create(
        area=west,
        month=add_months(current_month(), 1),
        due_date=add_months(current_month(), 2),
        by=manager,
    )
    south_manager = factories.user_with_role(Role.AUDIT_MANAGER, Area.objects.get(code="south"))
    client.force_login(south_manager)
    assert client.get(reverse("round_detail", args=[audit_round.pk])).status_code == 404
    assert client.post(reverse("round_select", args=[audit_round.pk])).status_code == 404
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    client.force_login(leader)
    assert client.get(reverse("round_detail", args=[audit_round.pk])).status_code == 200
    assert client.post(reverse("round_select", args=[audit_round.pk])).status_code == 403
    assert not SelectionSlot.objects.exists()

    # Another manager's import is not found either.
    client.force_login(manager)
    client.post(reverse("imports"), {"file": csv_upload([GOOD])})
    client.force_login(south_manager)
    case_import = CaseImport.objects.get()
    assert client.get(reverse("import_detail", args=[case_import.pk])).status_code == 404


def test_a_round_from_creation_to_closing(
    client, manager, west, django_capture_on_commit_callbacks
):
    auditors = [factories.user_with_role(Role.AUDITOR, west) for _ in range(2)]
    client.force_login(manager)
    month = add_months(current_month(), 1)
    response = client.post(
        reverse("round_create"),
        {
            "area": west.pk,
            "month": f"{month:%Y-%m}",
            "due_date": "not a date",
            "force_interest_theme": CaseTheme.objects.get(code="MISS").pk,
        },
    )
    assert response.status_code == 400
    assert "Enter the due date as YYYY-MM-DD" in response.content.decode()
    response = client.post(
        reverse("round_create"),
        {
            "area": west.pk,
            "month": f"{month:%Y-%m}",
            "due_date": add_months(month, 1).isoformat(),
            "force_interest_theme": CaseTheme.objects.get(code="MISS").pk,
            "force_interest_topic": "Children missing from care homes",
        },
    )
    audit_round = AuditRound.objects.get(area=west, month=month)
    assert response.url == reverse("round_detail", args=[audit_round.pk])
    candidate_cases(west, rounds.candidate_month(audit_round), per_theme=3)
    # Remove the CUST candidates so one slot has none.
    Case.objects.filter(theme__code="CUST").delete()

    response = client.post(reverse("round_select", args=[audit_round.pk]), {"seed": "abc"})
    assert (
        response.status_code == 400
        and "The seed must be a whole number" in response.content.decode()
    )
    client.post(reverse("round_select", args=[audit_round.pk]), {"seed": "99"})
    page = client.get(reverse("round_detail", args=[audit_round.pk])).content.decode()
    assert "99" in page and "No eligible case" in page
    assert "Before the round can open" in page

    # Opening is refused while a slot is unexplained; the reason is shown.
    response = client.post(reverse("round_open", args=[audit_round.pk]))
    assert response.status_code == 400 and "slot(s) have no case" in response.content.decode()

    cust = SelectionSlot.objects.get(round=audit_round, theme__code="CUST")
    url = reverse("slot_change", args=[audit_round.pk, cust.pk])
    response = client.post(url, {"action": "empty", "reason": ""})
    assert (
        response.status_code == 400
        and "Say why the slot is left empty" in response.content.decode()
    )
    client.post(url, {"action": "empty", "reason": "No custody cases this month."})
    miss = SelectionSlot.objects.get(round=audit_round, theme__code="MISS", is_force_interest=False)
    before = miss.case_id
    page = client.get(reverse("slot_change", args=[audit_round.pk, miss.pk])).content.decode()
    assert "Swap for one at random" in page
    client.post(reverse("slot_change", args=[audit_round.pk, miss.pk]), {"action": "random"})
    miss.refresh_from_db()
    assert miss.case_id != before

    client.post(reverse("round_allocate", args=[audit_round.pk]))
    assert Audit.objects.filter(round=audit_round).count() == 9
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("round_open", args=[audit_round.pk]))
    audit_round.refresh_from_db()
    assert audit_round.state == RoundState.OPEN
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.email for a in auditors)

    response = client.post(reverse("round_close", args=[audit_round.pk]), {})
    assert (
        response.status_code == 400
        and "Confirm that you want to close" in response.content.decode()
    )
    audit_round.refresh_from_db()
    assert audit_round.state == RoundState.OPEN
    client.post(reverse("round_close", args=[audit_round.pk]), {"confirm_unfinished": "on"})
    audit_round.refresh_from_db()
    assert audit_round.state == RoundState.CLOSED and audit_round.closed_by == manager


def test_reassigning_an_audit(client, manager, west):
    first, second = (factories.user_with_role(Role.AUDITOR, west) for _ in range(2))
    audit = factories.AuditFactory(round__area=west, auditor=first)
    client.force_login(manager)
    url = reverse("audit_reassign", args=[audit.round_id, audit.pk])
    stranger = factories.user_with_role(Role.AUDITOR, Area.objects.get(code="south"))
    response = client.post(url, {"auditor": stranger.pk})
    assert response.status_code == 400
    client.post(url, {"auditor": second.pk})
    audit.refresh_from_db()
    assert audit.auditor == second


def test_round_page_queries_do_not_grow_with_data(
    client, manager, west, django_assert_max_num_queries
):
    audit_round = rounds.round_create(
        area=west,
        month=add_months(current_month(), 1),
        due_date=add_months(current_month(), 2),
        by=manager,
    )
    factories.user_with_role(Role.AUDITOR, west)
    candidate_cases(west, rounds.candidate_month(audit_round), per_theme=1)
    rounds.round_select(audit_round=audit_round, by=manager, seed=1)
    rounds.round_allocate(audit_round=audit_round, by=manager)
    client.force_login(manager)
    url = reverse("round_detail", args=[audit_round.pk])
    client.get(url)
    with django_assert_max_num_queries(14) as small:
        client.get(url)
    for offset in range(2, 5):
        other_round = factories.AuditRoundFactory(
            area=west, month=add_months(current_month(), -offset)
        )
        factories.AuditFactory.create_batch(10, round=other_round)
    factories.AuditFactory.create_batch(20, round=audit_round)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)
