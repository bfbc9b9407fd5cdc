"""The rounds API: import candidate cases, create a round, select, swap, allocate, open, close."""

from __future__ import annotations

import csv
import datetime
import io
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from kombu.exceptions import OperationalError
from rest_framework.test import APIClient

from audit_app.audits.models import Audit, AuditRound, Case, RoundKind, RoundState
from audit_app.models import Area, Force, Role
from audit_app.months import add_months, current_month
from audit_app.rounds import imports as importing
from audit_app.rounds import services as rounds
from audit_app.rounds import tasks
from audit_app.rounds.models import CaseImport, CaseImportState, SelectionSlot
from tests import factories
from tests.builders import GOOD, HEADER, candidate_cases, csv_upload

pytestmark = pytest.mark.django_db

TEAMS = ["child-protection", "cse", "online", "response", "cid"]
NINE_THEMES = ["DA", "MISS", "CSE", "ONL", "S46", "CUST", "REF", "CAI", "RISK"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def west(reference_data):
    return Area.objects.get(code="west")


@pytest.fixture
def south(reference_data):
    return Area.objects.get(code="south")


@pytest.fixture
def manager(west):
    return factories.user_with_role(Role.AUDIT_MANAGER, west)


def candidates_csv(month: datetime.date, per_theme: int = 3, prefix: str = "WE") -> bytes:
    """Rows for every theme in the West area, recorded in `month`, plus two bad rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for t, theme in enumerate(NINE_THEMES):
        for n in range(per_theme):
            day = month + datetime.timedelta(days=(t + n) % 27)
            team = TEAMS[(t + n) % len(TEAMS)]
            reference = f"{prefix}-{theme}-{n}"
            writer.writerow([reference, theme, "west", team, f"Station {n}", "", "", day, ""])
    writer.writerow([f"{prefix}-BAD-1", "XX", "west", "response", "", "", "", month, ""])
    writer.writerow([f"{prefix}-BAD-2", "DA", "west", "response", "", "", "", "31/02/2026", ""])
    return buffer.getvalue().encode()


def upload(content: bytes, name: str = "cases.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def draft_round(area: Area, by, month: datetime.date | None = None) -> AuditRound:
    month = month or current_month()
    return rounds.round_create(area=area, month=month, due_date=add_months(month, 1), by=by)


def selected_round(area: Area, by, auditors: int = 2) -> AuditRound:
    for _ in range(auditors):
        factories.user_with_role(Role.AUDITOR, area)
    audit_round = draft_round(area, by)
    candidate_cases(area, rounds.candidate_month(audit_round), per_theme=2)
    rounds.round_select(audit_round=audit_round, by=by, seed=9)
    return audit_round


# The whole flow ---------------------------------------------------------------------------------


def test_the_whole_round_through_the_api(api, west, manager, django_capture_on_commit_callbacks):
    auditors = [factories.user_with_role(Role.AUDITOR, west) for _ in range(2)]
    api.force_authenticate(manager)
    month = current_month()
    source = rounds.candidate_month(AuditRound(month=month))

    # Upload: accepted, and its check queued once the upload is stored (tasks run in-process
    # here, as on the embedded default, so the answer already shows the check done).
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/case-imports/", {"file": upload(candidates_csv(source))}, format="multipart"
        )
    assert response.status_code == 202, response.json()
    assert response.json()["state"] == "ready"
    import_id = response.json()["id"]

    found = api.get(f"/api/case-imports/{import_id}/").json()
    assert found["state"] == "ready"
    assert (found["accepted_rows"], found["rejected_rows"], found["known_rows"]) == (27, 2, 0)
    assert found["progress_percent"] == 100
    assert Case.objects.count() == 0, "nothing is saved before the manager confirms"

    rejected = api.get(f"/api/case-imports/{import_id}/rows/?outcome=rejected").json()
    assert rejected["count"] == 2
    assert [(r["row_number"], r["reference"]) for r in rejected["results"]] == [
        (29, "WE-BAD-1"),
        (30, "WE-BAD-2"),
    ]
    assert rejected["results"][0]["reason"] == "Unknown theme code 'XX'."
    assert rejected["results"][1]["reason"].startswith("Bad date in date recorded")

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/case-imports/{import_id}/confirm/")
    assert response.status_code == 202
    found = api.get(f"/api/case-imports/{import_id}/").json()
    assert found["state"] == "imported" and found["saved_cases"] == 27
    assert Case.objects.filter(area=west).count() == 27

    # Create the round, then select with a seed: one case per theme plus the force-interest case.
    response = api.post(
        "/api/rounds/",
        {"area": west.pk, "month": f"{month:%Y-%m}", "due_date": add_months(month, 1)},
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["state"] == "draft" and created["slots"] == []
    assert created["readiness"] == ["Select the round's cases."]
    round_id = created["id"]

    response = api.post(
        f"/api/rounds/{round_id}/select/",
        {"seed": 42, "force_interest_theme": "DA", "force_interest_topic": "Repeat victims"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    selected = response.json()
    assert selected["seed"] == 42 and selected["force_interest_theme"] == "DA"
    slots = selected["slots"]
    assert len(slots) == 10 and all(s["case"] for s in slots)
    assert Counter(s["theme"] for s in slots) == Counter([*NINE_THEMES, "DA"])
    assert all(s["case_reference"].startswith(f"WE-{s['theme']}-") for s in slots)
    assert all(s["source_month"] == source.isoformat() and s["team"] for s in slots)
    assert {s["eligible_count"] for s in slots if s["theme"] != "DA"} == {3}
    again = api.post(f"/api/rounds/{round_id}/select/", {"seed": 42}, format="json").json()
    assert [s["case"] for s in again["slots"]] == [s["case"] for s in slots], "reproducible"
    slots = again["slots"]  # selecting again makes new slots

    # Swap: one drawn at random, one chosen.
    first = slots[0]
    response = api.post(f"/api/selection-slots/{first['id']}/swap/", {}, format="json")
    assert response.status_code == 200
    swapped = response.json()
    assert swapped["case"] != first["case"] and swapped["theme"] == first["theme"]
    miss = next(s for s in slots if s["theme"] == "MISS")
    spare = Case.objects.filter(
        area=west, theme__code="MISS", selection_slot__isnull=True, audits__isnull=True
    ).first()
    response = api.post(
        f"/api/selection-slots/{miss['id']}/swap/", {"case": spare.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["case"] == spare.pk

    # Allocate evenly, move one audit to the other auditor, open, close with confirmation.
    response = api.post(f"/api/rounds/{round_id}/allocate/")
    assert response.status_code == 200
    allocated = response.json()
    assert all(s["allocation"] for s in allocated["slots"])
    loads = Counter(s["allocation"]["auditor"] for s in allocated["slots"])
    assert sorted(loads.values()) == [5, 5] and set(loads) == {a.pk for a in auditors}
    assert allocated["readiness"] == []
    assert {a["id"] for a in allocated["auditors"]} == {a.pk for a in auditors}

    moved = allocated["slots"][0]["allocation"]
    other = next(a for a in auditors if a.pk != moved["auditor"])
    response = api.post(
        f"/api/rounds/{round_id}/audits/{moved['audit']}/reassign/",
        {"auditor": other.pk},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["auditor"] == other.pk
    assert Audit.objects.get(pk=moved["audit"]).auditor == other

    response = api.post(f"/api/rounds/{round_id}/open/")
    assert response.status_code == 200 and response.json()["state"] == "open"

    response = api.post(f"/api/rounds/{round_id}/close/", {}, format="json")
    assert response.status_code == 400
    assert "10 audit(s) are not submitted" in response.json()["detail"]
    assert AuditRound.objects.get(pk=round_id).state == RoundState.OPEN

    response = api.post(f"/api/rounds/{round_id}/close/", {"confirm_unfinished": True})
    assert response.status_code == 200
    closed = response.json()
    assert closed["state"] == "closed" and closed["closed_unfinished"] == 10
    assert AuditRound.objects.get(pk=round_id).closed_by == manager


def test_an_inspector_creates_an_inspection_round_of_their_own(api, west, manager):
    inspector = factories.user_with_role(Role.INSPECTOR, None, force=west.force)
    api.force_authenticate(inspector)
    month = current_month()
    payload = {
        "area": west.pk,
        "month": f"{month:%Y-%m}",
        "due_date": add_months(month, 2),
        "kind": "inspection",
        "cases_per_theme": 3,
    }
    response = api.post("/api/rounds/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == RoundKind.INSPECTION
    assert response.json()["cases_per_theme"] == 3
    # The audit manager may not create an inspection round.
    api.force_authenticate(manager)
    assert api.post("/api/rounds/", payload, format="json").status_code == 403


# Bad input: 400 with the reason, and nothing changed ---------------------------------------------


def test_bad_uploads_are_refused_with_the_reason_and_nothing_is_kept(api, manager):
    api.force_authenticate(manager)
    response = api.post(
        "/api/case-imports/",
        {"file": SimpleUploadedFile("cases.pdf", b"%PDF-1.4")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "CSV or an Excel workbook" in response.json()["detail"]

    response = api.post("/api/case-imports/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Check the request. file:")
    assert "file" in response.json()["errors"]
    assert not CaseImport.objects.exists()


def test_import_actions_refuse_the_wrong_state_and_unknown_filters(
    api, manager, django_capture_on_commit_callbacks
):
    api.force_authenticate(manager)
    with django_capture_on_commit_callbacks(execute=True):
        import_id = api.post(
            "/api/case-imports/", {"file": csv_upload([GOOD])}, format="multipart"
        ).json()["id"]
    assert api.get(f"/api/case-imports/{import_id}/rows/?outcome=maybe").status_code == 400
    response = api.get(f"/api/case-imports/{import_id}/rows/?colour=red")
    assert response.status_code == 400 and "colour" in response.json()["detail"]
    assert api.post(f"/api/case-imports/{import_id}/retry/").status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/case-imports/{import_id}/confirm/").status_code == 202
    response = api.post(f"/api/case-imports/{import_id}/confirm/")
    assert response.status_code == 400
    assert "only an import ready to confirm can be saved" in response.json()["detail"]
    response = api.post(f"/api/case-imports/{import_id}/cancel/")
    assert response.status_code == 400
    assert CaseImport.objects.get(pk=import_id).state == CaseImportState.IMPORTED
    assert Case.objects.count() == 1


def test_an_import_waiting_for_confirmation_can_be_cancelled(api, manager):
    started = importing.case_import_start(
        force=Force.objects.get(), by=manager, upload=csv_upload([GOOD])
    )
    importing.case_import_check(case_import_id=started.pk)
    api.force_authenticate(manager)
    response = api.post(f"/api/case-imports/{started.pk}/cancel/")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert api.get(f"/api/case-imports/{started.pk}/rows/").json()["count"] == 0
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"month": "2026-13"}, "month: Enter the month as YYYY-MM"),
        ({"month": "November"}, "month: Enter the month as YYYY-MM"),
        ({"due_date": "soon"}, "due_date:"),
        ({"area": 99999}, "area:"),
        ({"area": 2**70}, "area:"),
        ({"kind": "weekly"}, "kind:"),
        ({"force_interest_theme": "XX"}, "No active theme has the code XX."),
        ({"due_date": "2000-01-01"}, "The due date must fall in or after the round's month."),
    ],
)
def test_a_round_with_bad_input_is_refused_and_not_created(api, west, manager, payload, reason):
    month = current_month()
    api.force_authenticate(manager)
    body = {"area": west.pk, "month": f"{month:%Y-%m}", "due_date": add_months(month, 1)}
    response = api.post("/api/rounds/", {**body, **payload}, format="json")
    assert response.status_code == 400
    assert reason in response.json()["detail"]
    assert not AuditRound.objects.exists()


def test_a_second_monthly_round_for_the_month_is_refused(api, west, manager):
    draft_round(west, manager)
    month = current_month()
    api.force_authenticate(manager)
    response = api.post(
        "/api/rounds/",
        {"area": west.pk, "month": f"{month:%Y-%m}", "due_date": add_months(month, 1)},
        format="json",
    )
    assert response.status_code == 400
    assert "already has a round" in response.json()["detail"]
    assert AuditRound.objects.count() == 1


def slot_cases(audit_round: AuditRound) -> list[int | None]:
    return list(
        SelectionSlot.objects.filter(round=audit_round)
        .order_by("position")
        .values_list("case_id", flat=True)
    )


def test_selection_and_slot_changes_with_bad_input_change_nothing(api, west, south, manager):
    audit_round = selected_round(west, manager)
    before = slot_cases(audit_round)
    slot = SelectionSlot.objects.filter(round=audit_round).order_by("position").first()
    api.force_authenticate(manager)
    url = f"/api/rounds/{audit_round.pk}"

    for payload, reason in [
        ({"seed": "abc"}, "seed:"),
        ({"seed": -1}, "seed:"),
        ({"force_interest_theme": "XX"}, "No active theme has the code XX."),
    ]:
        response = api.post(f"{url}/select/", payload, format="json")
        assert response.status_code == 400 and reason in response.json()["detail"]

    usual = rounds.candidate_month(audit_round)
    far = add_months(usual, -3)
    response = api.post(
        f"/api/selection-slots/{slot.pk}/draw-from-month/", {"month": f"{far:%Y-%m}"}
    )
    assert response.status_code == 400 and "months either side" in response.json()["detail"]
    response = api.post(f"/api/selection-slots/{slot.pk}/draw-from-month/", {"month": "last"})
    assert response.status_code == 400 and "YYYY-MM" in response.json()["detail"]
    response = api.post(f"/api/selection-slots/{slot.pk}/leave-empty/", {"reason": "  "})
    assert response.status_code == 400 and response.json()["detail"] == (
        "Say why the slot is left empty."
    )
    elsewhere = factories.CaseFactory(area=south, theme=slot.theme, occurred_on=usual)
    response = api.post(f"/api/selection-slots/{slot.pk}/swap/", {"case": elsewhere.pk})
    assert response.status_code == 400 and "not eligible" in response.json()["detail"]
    chosen = SelectionSlot.objects.exclude(pk=slot.pk).filter(round=audit_round).first().case
    response = api.post(f"/api/selection-slots/{slot.pk}/swap/", {"case": chosen.pk})
    assert response.status_code == 400 and "not eligible" in response.json()["detail"]

    response = api.post(f"{url}/open/")
    assert response.status_code == 400
    assert "Allocate the selected cases to auditors." in response.json()["detail"]
    assert slot_cases(audit_round) == before
    audit_round.refresh_from_db()
    assert audit_round.selection_seed == 9 and audit_round.state == RoundState.DRAFT


def test_reassigning_to_someone_who_is_not_an_auditor_of_the_round_is_refused(
    api, west, south, manager
):
    audit_round = selected_round(west, manager)
    rounds.round_allocate(audit_round=audit_round, by=manager)
    audit = Audit.objects.filter(round=audit_round).first()
    outsider = factories.user_with_role(Role.AUDITOR, south)
    api.force_authenticate(manager)
    url = f"/api/rounds/{audit_round.pk}/audits/{audit.pk}/reassign/"
    for auditor in (outsider.pk, 999999):
        response = api.post(url, {"auditor": auditor}, format="json")
        assert response.status_code == 400
        assert response.json()["detail"] == "That person is not an auditor for this round."
    assert api.post(url, {}, format="json").status_code == 400
    assert api.post(url, {"auditor": 2**70}, format="json").status_code == 400
    assert Audit.objects.get(pk=audit.pk).auditor == audit.auditor
    other = draft_round(west, manager, add_months(current_month(), 1))
    response = api.post(f"/api/rounds/{other.pk}/audits/{audit.pk}/reassign/", {"auditor": 1})
    assert response.status_code == 404, "the audit is not in that round"


# Permissions --------------------------------------------------------------------------------------


def test_auditors_are_refused_every_rounds_and_imports_endpoint(api, west, manager):
    audit_round = selected_round(west, manager)
    slot = SelectionSlot.objects.filter(round=audit_round).first()
    api.force_authenticate(factories.user_with_role(Role.AUDITOR, west))
    for method, url in [
        ("get", "/api/rounds/"),
        ("get", f"/api/rounds/{audit_round.pk}/"),
        ("post", "/api/rounds/"),
        ("post", f"/api/rounds/{audit_round.pk}/select/"),
        ("get", f"/api/selection-slots/{slot.pk}/"),
        ("post", f"/api/selection-slots/{slot.pk}/swap/"),
        ("get", "/api/case-imports/"),
        ("post", "/api/case-imports/"),
    ]:
        response = getattr(api, method)(url, {}, format="json")
        assert response.status_code == 403, url
        assert "detail" in response.json()
    api.force_authenticate(None)
    # Not signed in: 401 where token authentication is on (it asks for credentials), else 403.
    assert api.get("/api/rounds/").status_code in (401, 403)


def test_a_senior_leader_reads_rounds_but_changes_nothing(api, west, manager):
    audit_round = selected_round(west, manager)
    before = slot_cases(audit_round)
    slot = SelectionSlot.objects.filter(round=audit_round).first()
    api.force_authenticate(factories.user_with_role(Role.SENIOR_LEADER, west))
    assert api.get("/api/rounds/").json()["count"] == 1
    assert api.get(f"/api/rounds/{audit_round.pk}/").status_code == 200
    for url in [
        f"/api/rounds/{audit_round.pk}/select/",
        f"/api/rounds/{audit_round.pk}/allocate/",
        f"/api/selection-slots/{slot.pk}/swap/",
        f"/api/selection-slots/{slot.pk}/leave-empty/",
        "/api/case-imports/",
    ]:
        response = api.post(url, {"reason": "Not needed"}, format="json")
        assert response.status_code == 403, url
    month = current_month()
    body = {"area": west.pk, "month": f"{add_months(month, 1):%Y-%m}", "due_date": month}
    assert api.post("/api/rounds/", body, format="json").status_code == 403
    assert slot_cases(audit_round) == before
    assert not Audit.objects.exists()


def test_another_areas_manager_gets_404_for_the_round_its_slots_and_imports(
    api, west, south, manager
):
    audit_round = selected_round(west, manager)
    rounds.round_allocate(audit_round=audit_round, by=manager)
    audit = Audit.objects.filter(round=audit_round).first()
    slot = SelectionSlot.objects.filter(round=audit_round).first()
    started = importing.case_import_start(force=west.force, by=manager, upload=csv_upload([GOOD]))
    south_manager = factories.user_with_role(Role.AUDIT_MANAGER, south)
    api.force_authenticate(south_manager)
    assert api.get("/api/rounds/").json()["count"] == 0
    assert api.get("/api/case-imports/").json()["count"] == 0
    for method, url in [
        ("get", f"/api/rounds/{audit_round.pk}/"),
        ("post", f"/api/rounds/{audit_round.pk}/select/"),
        ("post", f"/api/rounds/{audit_round.pk}/open/"),
        ("post", f"/api/rounds/{audit_round.pk}/audits/{audit.pk}/reassign/"),
        ("get", f"/api/selection-slots/{slot.pk}/"),
        ("post", f"/api/selection-slots/{slot.pk}/swap/"),
        ("get", f"/api/case-imports/{started.pk}/"),
        ("get", f"/api/case-imports/{started.pk}/rows/"),
        ("post", f"/api/case-imports/{started.pk}/cancel/"),
    ]:
        assert getattr(api, method)(url, {}, format="json").status_code == 404, url
    # Creating a round in an area they do not manage is refused.
    body = {"area": west.pk, "month": f"{add_months(current_month(), 1):%Y-%m}"}
    response = api.post("/api/rounds/", {**body, "due_date": "2030-01-01"}, format="json")
    assert response.status_code == 403

    # A force-wide audit manager sees the area manager's upload; the uploader sees their own.
    api.force_authenticate(factories.user_with_role(Role.AUDIT_MANAGER, None, force=west.force))
    assert api.get(f"/api/case-imports/{started.pk}/").status_code == 200
    api.force_authenticate(manager)
    assert [i["id"] for i in api.get("/api/case-imports/").json()["results"]] == [started.pk]


# The broker down -------------------------------------------------------------------------------


def broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_api_answers_503_and_loses_nothing(
    api, reference_data, monkeypatch
):
    manager = factories.user_with_role(Role.AUDIT_MANAGER, None, force=Force.objects.get())
    api.force_authenticate(manager)
    monkeypatch.setattr(tasks.check_case_import, "delay", broker_down)
    response = api.post("/api/case-imports/", {"file": csv_upload([GOOD])}, format="multipart")
    assert response.status_code == 503
    assert "task queue is unavailable" in response.json()["detail"]
    waiting = CaseImport.objects.get()
    assert waiting.state == CaseImportState.QUEUED and waiting.file, "the file is kept"
    assert api.post(f"/api/case-imports/{waiting.pk}/retry/").status_code == 503

    # Back up: the retry queues the check (run in-process here).
    monkeypatch.undo()
    response = api.post(f"/api/case-imports/{waiting.pk}/retry/")
    assert response.status_code == 202 and response.json()["state"] == "ready"

    monkeypatch.setattr(tasks.save_case_import, "delay", broker_down)
    response = api.post(f"/api/case-imports/{waiting.pk}/confirm/")
    assert response.status_code == 503
    assert "waiting for confirmation again" in response.json()["detail"]
    waiting.refresh_from_db()
    assert waiting.state == CaseImportState.READY and waiting.confirmed_at is None
    assert waiting.rows.count() == 1 and not Case.objects.exists()

    monkeypatch.undo()
    response = api.post(f"/api/case-imports/{waiting.pk}/confirm/")
    assert response.status_code == 202 and response.json()["state"] == "imported"
    assert Case.objects.get().reference == GOOD[0]


# Query counts ----------------------------------------------------------------------------------


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_list_endpoints_take_a_fixed_number_of_queries(
    api, west, south, reference_data, django_assert_max_num_queries
):
    force_manager = factories.user_with_role(Role.AUDIT_MANAGER, None, force=west.force)
    api.force_authenticate(force_manager)

    def import_rows(n: int) -> None:
        rows = [
            [f"WE-Q{n}-{i}", "DA", "west", "cid", "", "", "", "2026-01-05", ""] for i in range(n)
        ]
        started = importing.case_import_start(
            force=west.force, by=force_manager, upload=csv_upload(rows)
        )
        importing.case_import_check(case_import_id=started.pk)

    import_rows(1)
    selected_round(west, force_manager)
    lists = ["/api/rounds/", "/api/case-imports/"]
    before = {url: queries(lambda url=url: api.get(url)) for url in lists}
    first = CaseImport.objects.get()
    before_rows = queries(lambda: api.get(f"/api/case-imports/{first.pk}/rows/"))

    import_rows(30)
    import_rows(5)
    for area in (south, Area.objects.get(code="east")):
        audit_round = selected_round(area, force_manager, auditors=3)
        rounds.round_allocate(audit_round=audit_round, by=force_manager)
    for url in lists:
        with django_assert_max_num_queries(before[url]):
            assert api.get(url).json()["count"] == 3, url
    largest = CaseImport.objects.get(total_rows=30)
    with django_assert_max_num_queries(before_rows):
        assert api.get(f"/api/case-imports/{largest.pk}/rows/").json()["count"] == 30


def test_the_schema_documents_every_endpoint_with_its_refusals(api, reference_data):
    api.force_authenticate(factories.UserFactory())
    paths = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    expected = {
        "/api/case-imports/": {"get", "post"},
        "/api/case-imports/{id}/": {"get"},
        "/api/case-imports/{id}/rows/": {"get"},
        "/api/case-imports/{id}/confirm/": {"post"},
        "/api/case-imports/{id}/cancel/": {"post"},
        "/api/case-imports/{id}/retry/": {"post"},
        "/api/rounds/": {"get", "post"},
        "/api/rounds/{id}/": {"get"},
        "/api/rounds/{id}/select/": {"post"},
        "/api/rounds/{id}/allocate/": {"post"},
        "/api/rounds/{id}/open/": {"post"},
        "/api/rounds/{id}/close/": {"post"},
        "/api/rounds/{id}/audits/{audit_id}/reassign/": {"post"},
        "/api/selection-slots/{id}/": {"get"},
        "/api/selection-slots/{id}/swap/": {"post"},
        "/api/selection-slots/{id}/draw-from-month/": {"post"},
        "/api/selection-slots/{id}/leave-empty/": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) - {"parameters"} == methods, path
        for method in methods:
            responses = paths[path][method]["responses"]
            assert "403" in responses, (path, method)
            if method == "post":
                assert "400" in responses, (path, method)
            if "{id}" in path:
                assert "404" in responses, (path, method)
    assert "503" in paths["/api/case-imports/"]["post"]["responses"]
    assert "503" in paths["/api/case-imports/{id}/confirm/"]["post"]["responses"]
    upload_body = paths["/api/case-imports/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload_body
