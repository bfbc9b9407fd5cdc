"""Importing candidate cases: every row's outcome before saving, all or nothing when saving."""

from __future__ import annotations

import codecs
import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit_app.audits.models import Case
from audit_app.models import Area, Force, Role, StaffMember
from audit_app.rounds import imports as importing
from audit_app.rounds.models import CaseImportRow, CaseImportState, RowOutcome
from tests import factories
from tests.builders import GOOD, HEADER, csv_upload

pytestmark = pytest.mark.django_db


def xlsx_upload(rows: list[list[object]]):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("cases.xlsx", buffer.getvalue())


@pytest.fixture
def manager(reference_data):
    return factories.user_with_role(Role.AUDIT_MANAGER, None, force=Force.objects.get())


def run(upload, by) -> object:
    started = importing.case_import_start(force=Force.objects.get(), by=by, upload=upload)
    return importing.case_import_check(case_import_id=started.pk)


def outcomes(case_import) -> dict[int, tuple[str, str]]:
    return {
        r.row_number: (r.outcome, r.reason)
        for r in CaseImportRow.objects.filter(case_import=case_import)
    }


def test_every_bad_row_is_reported_with_its_reason_and_nothing_is_saved_before_confirming(manager):
    factories.CaseFactory(area=Area.objects.get(code="west"), reference="WE-0001")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    rows = [
        GOOD,
        ["WE-1002", "XX", "west", "response", "", "", "", "2026-10-03", ""],
        ["WE-1003", "DA", "north", "response", "", "", "", "2026-10-03", ""],
        ["WE-1004", "DA", "west", "bakery", "", "", "", "2026-10-03", ""],
        ["WE-1005", "DA", "west", "response", "", "", "", "31/02/2026", ""],
        ["WE-1001", "CSE", "west", "cid", "", "", "", "2026-10-04", ""],
        ["", "DA", "west", "response", "", "", "", "2026-10-03", ""],
        ["WE-0001", "DA", "west", "response", "", "", "", "2026-10-03", ""],
        ['=HYPERLINK("x")', "DA", "west", "response", "", "", "", "2026-10-03", ""],
        ["WE-1006", "DA", "west", "response", "", "", "", tomorrow, ""],
        ["WE-1007", "DA", "west", "response", "", "", "", "2026-10-03", "2026-10-01"],
        ["WE-1008", "da", "West", "Response", "", "4 521", "", "03/10/2026", ""],
        ["WE-1009", "cust", "East", "Custody", "Blackburn", "", "", "03/10/2026", ""],
    ]
    case_import = run(csv_upload(rows), manager)
    assert case_import.state == CaseImportState.READY
    found = outcomes(case_import)
    assert found[2] == (RowOutcome.ACCEPTED, "")
    assert found[3] == (RowOutcome.REJECTED, "Unknown theme code 'XX'.")
    assert found[4] == (RowOutcome.REJECTED, "Unknown area 'north'.")
    assert found[5] == (RowOutcome.REJECTED, "Unknown team 'bakery' in that area.")
    assert found[6][1].startswith("Bad date in date recorded")
    assert found[7] == (
        RowOutcome.REJECTED,
        "Duplicate reference: it appears earlier in this file.",
    )
    assert found[8] == (RowOutcome.REJECTED, "Missing field: case reference.")
    assert found[9] == (RowOutcome.KNOWN, "Already imported.")
    assert found[10][0] == RowOutcome.REJECTED and "case reference must" in found[10][1]
    assert found[11][1] == "Bad date in occurred_on: it is in the future."
    assert found[12][1] == "Bad date in closed_on: it is before the date recorded."
    assert found[13][0] == RowOutcome.REJECTED and "collar number" in found[13][1]
    assert found[14] == (RowOutcome.ACCEPTED, "")
    assert (case_import.accepted_rows, case_import.rejected_rows, case_import.known_rows) == (
        2,
        10,
        1,
    )
    assert Case.objects.count() == 1, "nothing is saved before the manager confirms"
    assert not case_import.file, "the uploaded file is not kept after the check"

    importing.case_import_confirm(case_import=case_import, by=manager)
    saved = importing.case_import_save(case_import_id=case_import.pk)
    assert saved.state == CaseImportState.IMPORTED and saved.saved_cases == 2
    case = Case.objects.get(reference="WE-1001")
    assert case.theme.code == "DA" and case.team.code == "response"
    assert case.officer_in_case.identifier == "4521" and case.supervisor.identifier == "PS88"
    assert Case.objects.get(reference="WE-1009").area.code == "east"


def test_a_failure_while_saving_saves_nothing(manager, monkeypatch):
    case_import = run(
        csv_upload([GOOD, ["WE-2", "CSE", "west", "cid", "", "77", "", "2026-10-04", ""]]), manager
    )
    importing.case_import_confirm(case_import=case_import, by=manager)

    def fail_after_staff(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Case.objects, "bulk_create", fail_after_staff)  # SQLite's path
    monkeypatch.setattr(importing, "_insert_cases", fail_after_staff)  # PostgreSQL's
    with pytest.raises(RuntimeError):
        importing.case_import_save(case_import_id=case_import.pk)
    monkeypatch.undo()
    case_import.refresh_from_db()
    assert case_import.state == CaseImportState.FAILED
    assert "no case from this file was saved" in case_import.failure_reason
    assert Case.objects.count() == 0
    assert not StaffMember.objects.filter(identifier__in=["4521", "PS88", "77"]).exists()

    # The manager can try again, and then it saves.
    importing.case_import_confirm(case_import=case_import, by=manager)
    assert importing.case_import_save(case_import_id=case_import.pk).saved_cases == 2


def test_rows_known_since_the_preview_are_not_saved_twice(manager):
    first = run(csv_upload([GOOD]), manager)
    second = run(csv_upload([GOOD]), manager)
    for case_import in (first, second):
        importing.case_import_confirm(case_import=case_import, by=manager)
    importing.case_import_save(case_import_id=first.pk)
    second = importing.case_import_save(case_import_id=second.pk)
    assert second.state == CaseImportState.IMPORTED and second.saved_cases == 0
    assert second.known_rows == 1
    assert Case.objects.filter(reference="WE-1001").count() == 1


def test_xlsx_with_real_dates_imports(manager):
    rows = [
        ["WE-3001", "DA", "west", "response", "", 4521, "", datetime.datetime(2026, 10, 3), None],
        ["WE-3002", "MISS", "west", "response", "", "", "", datetime.date(2026, 10, 4), None],
    ]
    case_import = run(xlsx_upload(rows), manager)
    assert case_import.accepted_rows == 2
    importing.case_import_confirm(case_import=case_import, by=manager)
    importing.case_import_save(case_import_id=case_import.pk)
    assert Case.objects.get(reference="WE-3001").officer_in_case.identifier == "4521"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("cases.pdf", b"%PDF-1.4"), "CSV or an Excel workbook"),
        (SimpleUploadedFile("cases.xlsx", b"reference,theme\n"), "not an Excel workbook"),
        (SimpleUploadedFile("cases.csv", b"PK\x03\x04rest"), "not a text file"),
        (SimpleUploadedFile("cases.csv", b""), "empty"),
    ],
)
def test_files_of_the_wrong_type_are_refused(manager, upload, message):
    with pytest.raises(importing.ImportFileRefused, match=message):
        importing.case_import_start(force=Force.objects.get(), by=manager, upload=upload)


def test_oversized_files_and_missing_columns_are_refused(manager, settings):
    settings.CASE_IMPORT_MAX_BYTES = 100
    with pytest.raises(importing.ImportFileRefused, match="the limit is"):
        importing.case_import_start(
            force=Force.objects.get(), by=manager, upload=csv_upload([GOOD] * 5)
        )
    settings.CASE_IMPORT_MAX_BYTES = 10_000_000
    case_import = run(csv_upload([["WE-1", "DA"]], header=["reference", "theme"]), manager)
    assert case_import.state == CaseImportState.FAILED
    assert "no column for: area, team, occurred_on" in case_import.failure_reason
    assert not CaseImportRow.objects.filter(case_import=case_import).exists()


def test_only_audit_managers_import_and_only_for_their_areas(reference_data):
    west = Area.objects.get(code="west")
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    with pytest.raises(PermissionDenied):
        importing.case_import_start(force=west.force, by=leader, upload=csv_upload([GOOD]))
    west_manager = factories.user_with_role(Role.AUDIT_MANAGER, west)
    east_row = ["EA-1", "DA", "east", "response", "", "", "", "2026-10-03", ""]
    case_import = run(csv_upload([GOOD, east_row]), west_manager)
    assert outcomes(case_import)[3] == (
        RowOutcome.REJECTED,
        "The area is not one you manage audits for.",
    )


def test_a_reference_in_another_case_is_already_known(manager):
    factories.CaseFactory(area=Area.objects.get(code="west"), reference="we-1001")
    case_import = run(csv_upload([GOOD]), manager)  # WE-1001
    assert outcomes(case_import)[2] == (RowOutcome.KNOWN, "Already imported.")


# Faults the file names: a repeated column refuses the file; a bad row is rejected by number ------


def test_a_repeated_column_refuses_the_file_naming_it(manager):
    # Both name the case reference (one through an alias): neither may silently win.
    header = [*HEADER, "Crime Reference"]
    case_import = run(csv_upload([[*GOOD, "WE-9"]], header=header), manager)
    assert case_import.state == CaseImportState.FAILED
    assert case_import.failure_reason.startswith(
        "The column reference appears 2 times in the header row (column 1 (A) headed "
        "'reference' and column 10 (J) headed 'Crime Reference')"
    )
    assert not CaseImportRow.objects.filter(case_import=case_import).exists()


def test_a_row_with_values_beyond_the_named_columns_is_rejected_by_its_number(manager):
    rows = [
        GOOD,
        ["WE-1002", "DA", "west", "response", "", "", "", "2026-10-03", "", "stray"],
        ["WE-1003", "DA", "west", "response", "", "", "", "2026-10-03", "", ""],  # empty: fine
    ]
    case_import = run(csv_upload(rows), manager)
    assert case_import.state == CaseImportState.READY
    found = outcomes(case_import)
    assert found[2] == found[4] == (RowOutcome.ACCEPTED, "")
    assert found[3] == (
        RowOutcome.REJECTED,
        "The row has a value in column 10 (J), beyond the 9 columns the header row names. "
        "Remove the value or name its column.",
    )


@pytest.mark.parametrize(
    ("encoding", "separator"),
    [("utf-16", "\t"), ("utf-16", ","), ("utf-8-sig", ","), ("utf-16-be", ",")],
)
def test_unicode_text_files_are_read(manager, encoding, separator):
    # Excel's "Unicode Text" is UTF-16 with a byte-order mark, separated by tabs.
    second = ["WE-1002", "DA", "west", "response", "Chorley – Ëast", "", "", "2026-10-03", ""]
    text = "\r\n".join(separator.join(row) for row in (HEADER, GOOD, second))
    content = text.encode(encoding)
    if encoding == "utf-16-be":
        content = codecs.BOM_UTF16_BE + content
    case_import = run(SimpleUploadedFile("cases.csv", content), manager)
    assert case_import.state == CaseImportState.READY, case_import.failure_reason
    assert outcomes(case_import) == {2: (RowOutcome.ACCEPTED, ""), 3: (RowOutcome.ACCEPTED, "")}
    row = CaseImportRow.objects.get(case_import=case_import, row_number=3)
    assert row.values["station"] == "Chorley – Ëast"


def test_utf16_without_a_byte_order_mark_is_refused_with_the_reason(manager):
    upload = SimpleUploadedFile("cases.csv", ",".join(HEADER).encode("utf-16-le"))
    with pytest.raises(importing.ImportFileRefused, match="UTF-16 text without a byte-order mark"):
        importing.case_import_start(force=Force.objects.get(), by=manager, upload=upload)


def test_control_and_direction_characters_reject_their_row(manager):
    rows = [
        ["WE-1", "DA", "west", "response", "Preston\x1b[2J", "", "", "2026-10-03", ""],
        ["WE-2\u202e1", "DA", "west", "response", "", "", "", "2026-10-03", ""],
        ["WE-3", "DA", "west", "response", "Pres\u2066ton", "", "", "2026-10-03", ""],
        ["WE-4", "DA", "west", "response", "Pres\x85ton", "", "", "2026-10-03", ""],
        ["WE-5", "DA", "west", "response", "Pres\tton", "", "", "2026-10-03", ""],  # tab: fine
    ]
    case_import = run(csv_upload(rows), manager)
    found = outcomes(case_import)
    assert found[2] == (
        RowOutcome.REJECTED,
        "The station holds a control character (U+001B), which no case record may hold. "
        "Remove it and upload the file again.",
    )
    assert found[3][1].startswith(
        "The case reference holds a character that changes the direction of text (U+202E)"
    )
    assert found[4][1].startswith("The station holds a character that changes the direction")
    assert found[5][1].startswith("The station holds a control character (U+0085)")
    assert found[6] == (RowOutcome.ACCEPTED, "")
    # What is shown of a rejected row cannot reverse the page either.
    shown = CaseImportRow.objects.get(case_import=case_import, row_number=3).reference
    assert shown == "WE-2\ufffd1"


def test_a_nul_byte_rejects_its_row_alone(manager):
    rows = [
        GOOD,
        ["WE-1002", "DA", "west", "response", "Pres\x00ton", "", "", "2026-10-03", ""],
        ["WE-1003", "DA", "west", "response", "", "", "", "2026-10-03", ""],
    ]
    case_import = run(csv_upload(rows), manager)
    assert case_import.state == CaseImportState.READY
    found = outcomes(case_import)
    assert found[2] == found[4] == (RowOutcome.ACCEPTED, "")
    assert found[3][0] == RowOutcome.REJECTED
    assert found[3][1].startswith("The row holds a NUL character in column 5 (E)")


def test_implausible_case_dates_are_rejected(manager):
    rows = [
        ["WE-1", "DA", "west", "response", "", "", "", "0001-01-01", ""],
        ["WE-2", "DA", "west", "response", "", "", "", "2026-10-03", "9999-12-31"],
        ["WE-3", "DA", "west", "response", "", "", "", "1999-12-31", ""],
        ["WE-4", "DA", "west", "response", "", "", "", "2000-01-01", "2026-10-04"],
    ]
    found = outcomes(run(csv_upload(rows), manager))
    assert found[2] == (
        RowOutcome.REJECTED,
        "Bad date in occurred_on: the date must be on or after 1 January 2000.",
    )
    assert found[3] == (
        RowOutcome.REJECTED,
        "Bad date in closed_on: the date must not be in the future.",
    )
    assert found[4][0] == RowOutcome.REJECTED
    assert found[5] == (RowOutcome.ACCEPTED, "")
