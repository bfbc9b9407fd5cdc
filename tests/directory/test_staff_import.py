"""Importing the staff directory from the HR system's export: every bad input rejected per row with
its reason, a preview, one confirmed apply, and nobody deleted (issue: staff directory, item 1)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit_app.directory import selectors, services
from audit_app.directory.models import StaffImportRow, StaffImportState, StaffRowOutcome
from audit_app.models import Area, Role, StaffMember
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "Staff Number,Name,Rank,E-mail,Team,Line Manager's Number\n"


@pytest.fixture
def west(reference_data):
    return Area.objects.get(code="west")


@pytest.fixture
def manager(west):
    return factories.user_with_role(Role.AUDIT_MANAGER, None, force=west.force)


def _csv(text: str, name: str = "staff.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _check(west, manager, body: str, header: str = HEADER):
    return services.staff_import_check(force=west.force, by=manager, upload=_csv(header + body))


def _rows(staff_import) -> dict[int, StaffImportRow]:
    return {row.row_number: row for row in staff_import.rows.all()}


def _reasons(row: StaffImportRow) -> str:
    return " ".join(row.reasons)


@pytest.fixture
def apply(manager, django_capture_on_commit_callbacks):
    """Confirm an import as the page does; the apply task runs on commit, in-process."""

    def confirm(staff_import, by=None):
        with django_capture_on_commit_callbacks(execute=True):
            services.staff_import_confirm_and_queue(staff_import=staff_import, by=by or manager)
        staff_import.refresh_from_db()
        return staff_import

    return confirm


def test_a_good_file_plans_new_people_and_applies_them_with_their_managers(west, manager, apply):
    staff_import = _check(
        west,
        manager,
        "1001,Ann Insp,Insp,ann@example.police.uk,west/response,\n"
        "1002,Bob Sarge,PS,bob@example.police.uk,West/Response,1001\n"
        "1003,Cat Cee,PC,,west/response,1002\n",
    )
    assert staff_import.create_rows == 3 and staff_import.rejected_rows == 0
    assert not StaffMember.objects.filter(identifier__in=["1001", "1002", "1003"]).exists()
    assert apply(staff_import).state == StaffImportState.APPLIED
    cat = StaffMember.objects.get(force=west.force, identifier="1003")
    assert cat.line_manager.identifier == "1002"
    assert cat.line_manager.line_manager.identifier == "1001"
    assert cat.team.code == "response" and cat.team.area == west
    # One history record each, made with the manager already set, by the confirming user.
    (record,) = cat.history.all()
    assert record.history_change_reason == f"directory import {staff_import.pk}"
    assert record.history_type == "+" and record.line_manager_id == cat.line_manager_id
    assert record.history_user == manager


def test_header_variants_are_accepted_case_insensitively(west, manager):
    staff_import = _check(west, manager, "2001,Dee Dee\n", header="COLLAR NUMBER , Full Name\n")
    assert staff_import.create_rows == 1


def test_a_file_missing_required_columns_is_refused_naming_them(west, manager):
    with pytest.raises(services.StaffFileRefused) as refusal:
        _check(west, manager, "PC,x@example.police.uk\n", header="rank,email\n")
    assert "staff number, name" in refusal.value.messages[0]


def test_missing_staff_number_or_name(west, manager):
    rows = _rows(_check(west, manager, ",No Number,PC,,,\n3001,,PC,,,\n"))
    assert "Missing staff number" in _reasons(rows[2])
    assert "Missing name" in _reasons(rows[3])


def test_duplicate_staff_numbers_reject_both_rows(west, manager):
    rows = _rows(_check(west, manager, "4001,Ann,,,,\n4002,Bob,,,,\n4001,Ann Again,,,,\n"))
    assert "Duplicate staff number" in _reasons(rows[2])
    assert "Duplicate staff number" in _reasons(rows[4])
    assert rows[3].outcome == StaffRowOutcome.CREATE


def test_an_unknown_or_ambiguous_team_is_rejected(west, manager):
    rows = _rows(
        _check(west, manager, "5001,Ann,,,Narnia,\n5002,Bob,,,response,\n5003,Cy,,,CID,\n")
    )
    assert "Unknown team 'Narnia'" in _reasons(rows[2])
    assert "more than one area" in _reasons(rows[3])
    assert "more than one area" in _reasons(rows[4])  # CID is in every area too


def test_a_team_by_name_within_an_area_column(west, manager):
    header = "staff number,name,team,area\n"
    staff_import = _check(west, manager, "5101,Ann,Child protection team,WEST\n", header=header)
    assert staff_import.create_rows == 1
    row = staff_import.rows.get()
    assert row.values["team"] == west.teams.get(code="child-protection").pk


def test_a_malformed_email_is_rejected(west, manager):
    rows = _rows(_check(west, manager, "6001,Ann,,not-an-address,,\n"))
    assert "Malformed email address" in _reasons(rows[2])


def test_a_line_manager_neither_in_the_file_nor_the_directory(west, manager):
    factories.StaffMemberFactory(force=west.force, identifier="7000", team=west.teams.first())
    rows = _rows(_check(west, manager, "7001,Ann,,,,9999\n7002,Bob,,,,7000\n"))
    assert "neither in this file nor in the directory" in _reasons(rows[2])
    assert rows[3].outcome == StaffRowOutcome.CREATE


def test_self_management_is_rejected(west, manager):
    rows = _rows(_check(west, manager, "8001,Ann,,,,8001\n"))
    assert "own line manager" in _reasons(rows[2])


def test_a_cycle_in_the_file_is_rejected(west, manager):
    rows = _rows(_check(west, manager, "8101,Ann,,,,8102\n8102,Bob,,,,8101\n8103,Cy,,,,\n"))
    assert "round in a circle" in _reasons(rows[2])
    assert "round in a circle" in _reasons(rows[3])
    assert rows[4].outcome == StaffRowOutcome.CREATE


def test_a_cycle_with_the_directory_is_rejected(west, manager):
    team = west.teams.first()
    boss = factories.StaffMemberFactory(force=west.force, identifier="8200", team=team)
    factories.StaffMemberFactory(force=west.force, identifier="8201", team=team, line_manager=boss)
    # The file makes 8200 report to 8201, who reports to 8200 in the directory.
    rows = _rows(_check(west, manager, "8200,Boss,,,,8201\n"))
    assert "round in a circle" in _reasons(rows[2])


def test_a_row_managed_only_by_a_rejected_row_is_rejected(west, manager):
    rows = _rows(_check(west, manager, "8301,Ann,,bad@,,\n8302,Bob,,,,8301\n"))
    assert rows[2].outcome == rows[3].outcome == StaffRowOutcome.REJECTED
    assert "rejected row" in _reasons(rows[3])


def test_updates_show_old_and_new_and_nobody_missing_is_deleted(
    west, manager, client, django_capture_on_commit_callbacks
):
    team = west.teams.get(code="response")
    kept = factories.StaffMemberFactory(force=west.force, identifier="9001", name="Kept Person")
    moved = factories.StaffMemberFactory(
        force=west.force, identifier="9002", name="Old Name", team=team, email="keep@example.com"
    )
    same = factories.StaffMemberFactory(
        force=west.force, identifier="9003", name="Same", rank="PC", team=team
    )
    staff_import = _check(
        west, manager, "9002,New Name,DS,,west/response,\n9003,Same,PC,,west/response,\n"
    )
    rows = _rows(staff_import)
    assert rows[2].outcome == StaffRowOutcome.UPDATE
    assert rows[2].changes == {"name": ["Old Name", "New Name"], "rank": ["PC", "DS"]}
    assert rows[3].outcome == StaffRowOutcome.UNCHANGED
    assert [pk for pk, *_ in selectors.not_in_file(staff_import)] == [kept.pk]
    client.force_login(manager)
    page = client.get(reverse("directory_import_detail", args=[staff_import.pk]))
    assert "Name: Old Name → New Name" in page.text
    missing = client.get(
        reverse("directory_import_detail", args=[staff_import.pk]), {"outcome": "not_in_file"}
    )
    assert "Kept Person" in missing.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("directory_import_detail", args=[staff_import.pk]), {"action": "confirm"}
        )
    assert response.status_code == 302
    moved.refresh_from_db()
    kept.refresh_from_db()
    assert (moved.name, moved.rank, moved.email) == ("New Name", "DS", "keep@example.com")
    assert kept.is_active and kept.name == "Kept Person"
    assert moved.history.first().history_change_reason == f"directory import {staff_import.pk}"
    assert same.history.count() == 1  # unchanged: not written


def test_confirming_twice_is_refused(west, manager, client, apply):
    staff_import = _check(west, manager, "9101,Ann,,,,\n")
    apply(staff_import)
    with pytest.raises(ValidationError, match="already been applied"):
        apply(staff_import)
    client.force_login(manager)
    response = client.post(
        reverse("directory_import_detail", args=[staff_import.pk]),
        {"action": "confirm"},
        follow=True,
    )
    assert "already been applied" in response.text
    assert StaffMember.objects.filter(identifier="9101").count() == 1
    staff_import.refresh_from_db()
    assert staff_import.state == StaffImportState.APPLIED


def test_only_the_force_wide_manager_imports(west):
    area_manager = factories.user_with_role(Role.AUDIT_MANAGER, west)
    with pytest.raises(PermissionDenied):
        _check(west, area_manager, "9201,Ann,,,,\n")


def test_upload_page_previews_and_refuses_a_file_without_columns(west, manager, client):
    client.force_login(manager)
    url = reverse("directory_imports")
    refused = client.post(url, {"file": _csv("rank\nPC\n")})
    assert refused.status_code == 400
    assert "govuk-error-summary" in refused.text and "staff number, name" in refused.text
    accepted = client.post(url, {"file": _csv(HEADER + "9301,Ann,,,,\n")})
    assert accepted.status_code == 302
    preview = client.get(accepted.url)
    assert "Confirm and apply" in preview.text


def test_an_xlsx_export_is_read(west, manager):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Collar No", "Name", "Rank", "Email", "Team", "Line manager number"])
    sheet.append([9401, "Ann Example", "PC", "ann@example.police.uk", "west/cid", None])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("staff.xlsx", buffer.getvalue())
    staff_import = services.staff_import_check(force=west.force, by=manager, upload=upload)
    row = staff_import.rows.get()
    assert row.outcome == StaffRowOutcome.CREATE and row.identifier == "9401"
