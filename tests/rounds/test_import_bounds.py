"""An import file is read within limits, and a refusal names the limit and the row (issue 12).

A 1.5 MB workbook of one huge cell once took a worker to gigabytes, and one of millions of empty
rows ran to the task's time limit before saying only that it "could not be read". Each limit is
set small here so the files stay tiny; each test checks the file is refused with a reason naming
the limit and where, and (where it matters) that the refusal comes before the rest is read.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit_app import import_reader
from audit_app.models import Force, Role
from audit_app.rounds import imports as importing
from audit_app.rounds.models import CaseImportRow, CaseImportState, RowOutcome
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = ["reference", "theme", "area", "team", "station", "officer_in_case", "supervisor",
          "occurred_on", "closed_on"]  # fmt: skip
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def good(n: int) -> list[str]:
    return [f"WE-{n}", "DA", "west", "response", "Preston", "", "", "2026-10-03", ""]


def csv_bytes(rows: Iterable[Iterable[str]], header: Iterable[str] = HEADER) -> bytes:
    lines = [",".join(header), *(",".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


def workbook(rows: Iterable[Iterable[object]], header: Iterable[str] = HEADER) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(list(header))
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def raw_workbook(sheet_data: str, *, dimension: str = "", strings: str | None = None) -> bytes:
    """A workbook written as XML, for what openpyxl will not write: no dimension, a DTD..."""
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    spreadsheet = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{spreadsheet}.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{spreadsheet}.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{spreadsheet}.sharedStrings+xml"/></Types>',
        )
        rels = "http://schemas.openxmlformats.org/package/2006/relationships"
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{rels}"><Relationship Id="rId1" '
            f'Type="{relations}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{relations}"><sheets>'
            '<sheet name="Cases" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{rels}">'
            f'<Relationship Id="rId1" Type="{relations}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{relations}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{MAIN}">{dimension}<sheetData>{sheet_data}</sheetData></worksheet>',
        )
        archive.writestr("xl/sharedStrings.xml", strings or f'<sst xmlns="{MAIN}"></sst>')
    return buffer.getvalue()


def xml_row(number: int, values: Iterable[str]) -> str:
    letter = openpyxl.utils.get_column_letter
    cells = "".join(
        f'<c r="{letter(i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values, start=1)
    )
    return f'<row r="{number}">{cells}</row>'


@pytest.fixture
def manager(reference_data):
    return factories.user_with_role(Role.AUDIT_MANAGER, None, force=Force.objects.get())


@pytest.fixture
def check(manager):
    def run(content: bytes, name: str = "cases.csv"):
        upload = SimpleUploadedFile(name, content)
        started = importing.case_import_start(force=Force.objects.get(), by=manager, upload=upload)
        return importing.case_import_check(case_import_id=started.pk)

    return run


def refused(case_import) -> str:
    assert case_import.state == CaseImportState.FAILED, "the file was not refused"
    assert not CaseImportRow.objects.filter(case_import=case_import).exists()
    return case_import.failure_reason


# The row limit -------------------------------------------------------------------------------


def test_the_row_limit_names_the_first_row_past_it_and_nothing_after_is_read(check, settings):
    settings.CASE_IMPORT_MAX_ROWS = 3
    settings.CASE_IMPORT_MAX_ROW_BYTES = 500
    # Row 6 is too long to read: reached, it would be the reason given.
    content = csv_bytes([good(n) for n in range(1, 5)] + [["X" * 1000]])
    reason = refused(check(content))
    assert reason.startswith("Row 5 is past the row limit: a file may hold 3 rows")


def test_a_workbook_declaring_more_rows_than_the_limit_is_refused_before_any_row_is_read(
    check, settings
):
    settings.CASE_IMPORT_MAX_ROWS = 3
    reason = refused(check(workbook([good(n) for n in range(1, 6)]), "cases.xlsx"))
    assert reason.startswith("The sheet declares 6 rows (A1:I6): the row limit is 3 rows")


def test_a_workbook_declaring_more_columns_than_the_limit_is_refused(check, settings):
    settings.CASE_IMPORT_MAX_COLUMNS = 5
    reason = refused(check(workbook([good(1)]), "cases.xlsx"))
    assert reason.startswith("The sheet declares 9 columns (A1:I2): the column limit is 5")


def test_a_workbook_without_a_dimension_is_counted_as_it_is_read(check, settings):
    settings.CASE_IMPORT_MAX_ROWS = 2
    rows = "".join(xml_row(n, good(n) if n > 1 else HEADER) for n in range(1, 6))
    reason = refused(check(raw_workbook(rows), "cases.xlsx"))
    assert reason.startswith("Row 4 is past the row limit")


def test_a_header_wider_than_the_column_limit_is_refused_naming_the_column(check, settings):
    settings.CASE_IMPORT_MAX_COLUMNS = 10
    header = HEADER + [f"extra{i}" for i in range(5)]
    reason = refused(check(csv_bytes([good(1)], header=header)))
    assert reason.startswith("Row 1 has a value in column 14 (N): the column limit is 10")


# Cells and rows too large --------------------------------------------------------------------


def test_a_cell_over_the_length_limit_names_the_row_and_column(check, settings):
    settings.CASE_IMPORT_MAX_CELL_CHARS = 20
    rows = [good(1), [*good(2)[:4], "A station name far too long", *good(2)[5:]]]
    for content, name in ((csv_bytes(rows), "cases.csv"), (workbook(rows), "cases.xlsx")):
        reason = refused(check(content, name))
        assert reason.startswith(
            "Row 3, column 5 (E), holds 27 characters: the cell-length limit is 20."
        ), name


def test_a_shared_string_over_the_length_limit_is_refused(check, settings):
    settings.CASE_IMPORT_MAX_CELL_CHARS = 20
    strings = f'<sst xmlns="{MAIN}"><si><t>short</t></si><si><t>{"L" * 30}</t></si></sst>'
    reason = refused(check(raw_workbook(xml_row(1, HEADER), strings=strings), "cases.xlsx"))
    assert reason.startswith(
        "The workbook's shared string number 2 holds 30 characters: the cell-length limit is 20."
    )


def test_a_csv_row_over_the_length_limit_is_refused_as_read(check, settings):
    settings.CASE_IMPORT_MAX_ROW_BYTES = 200
    reason = refused(check(csv_bytes([good(1), ["Y" * 300]])))
    assert reason.startswith("Row 3 is longer than the row-length limit of 200 characters")
    # A quote left open makes the rest of the file one row: it stops there too.
    reason = refused(check(csv_bytes([good(1), ['"open', *(["Z" * 50] * 10)]])))
    assert reason.startswith("Row 3 is longer than the row-length limit")


def test_a_sheet_row_over_the_size_limit_is_refused_before_it_is_parsed(check, settings):
    settings.CASE_IMPORT_MAX_ROW_BYTES = 100_000
    huge = xml_row(3, ["Q" * 300_000])
    rows = xml_row(1, HEADER) + xml_row(2, good(2)) + huge
    reason = refused(check(raw_workbook(rows), "cases.xlsx"))
    assert reason.startswith("Row 3 (or what follows row 2) is larger than the row-size limit")


def test_the_time_budget_names_the_row_reading_stopped_at(check, settings, monkeypatch):
    settings.CASE_IMPORT_TIME_BUDGET_SECONDS = 10
    ticks = iter(range(1_000_000))

    class Clock:  # a second passes each time the reader looks
        @staticmethod
        def monotonic() -> float:
            return float(next(ticks))

    monkeypatch.setattr(import_reader, "time", Clock)  # the budget ends at 10: row 11 is past it
    reason = refused(check(csv_bytes([good(n) for n in range(1, 30)])))
    assert reason.startswith(
        "Reading stopped at row 11: checking the file took longer than the time limit of 10 "
        "seconds."
    )


# A workbook's parts, before openpyxl opens it ------------------------------------------------


@pytest.fixture
def openpyxl_never_opens(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened the workbook")

    monkeypatch.setattr(import_reader, "ExcelReader", refuse)


def test_shared_strings_unpacking_past_their_limit_are_refused_unopened(
    check, settings, openpyxl_never_opens
):
    settings.CASE_IMPORT_MAX_SHARED_STRINGS_BYTES = 1000
    strings = f'<sst xmlns="{MAIN}"><si><t>{"S" * 5000}</t></si></sst>'
    reason = refused(check(raw_workbook(xml_row(1, HEADER), strings=strings), "cases.xlsx"))
    assert reason.startswith("The workbook's part xl/sharedStrings.xml unpacks to")


def test_a_sheet_unpacking_past_its_limit_is_refused_unopened(
    check, settings, openpyxl_never_opens
):
    settings.CASE_IMPORT_MAX_SHEET_BYTES = 2000
    rows = "".join(xml_row(n, good(n)) for n in range(1, 40))
    reason = refused(check(raw_workbook(rows), "cases.xlsx"))
    assert reason.startswith("The workbook's part xl/worksheets/sheet1.xml unpacks to")


def test_a_workbook_of_too_many_parts_is_refused_unopened(check, settings, openpyxl_never_opens):
    settings.CASE_IMPORT_MAX_ZIP_ENTRIES = 5
    reason = refused(check(workbook([good(1)]), "cases.xlsx"))
    assert re.match(r"The workbook holds \d+ parts or more: the limit is 5\.", reason)


def test_too_many_shared_strings_are_refused_before_they_are_parsed(check, settings, monkeypatch):
    settings.CASE_IMPORT_MAX_SHARED_STRINGS = 5

    def never(*args, **kwargs):
        raise AssertionError("the strings were parsed")

    monkeypatch.setattr(import_reader, "_string_text", never)
    strings = f'<sst xmlns="{MAIN}">' + "".join(f"<si><t>{n}</t></si>" for n in range(8)) + "</sst>"
    reason = refused(check(raw_workbook(xml_row(1, HEADER), strings=strings), "cases.xlsx"))
    assert re.match(r"The workbook holds \d+ different texts .* the limit for them is 5\.", reason)


def test_a_dtd_in_any_part_is_refused(check):
    strings = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        f'<sst xmlns="{MAIN}"><si><t>&b;</t></si></sst>'
    )
    reason = refused(check(raw_workbook(xml_row(1, HEADER), strings=strings), "cases.xlsx"))
    assert reason.startswith("The workbook's part xl/sharedStrings.xml declares a DTD")


# Empty rows ----------------------------------------------------------------------------------


def test_empty_rows_are_skipped_and_any_number_may_end_the_file(check, settings):
    settings.CASE_IMPORT_EMPTY_RUN = 5
    rows = [good(1), [""] * 9, good(2), *([[""] * 9] * 50)]
    for content, name in ((csv_bytes(rows), "cases.csv"), (workbook(rows), "cases.xlsx")):
        case_import = check(content, name)
        assert case_import.state == CaseImportState.READY, case_import.failure_reason
        assert case_import.total_rows == 2
        assert set(CaseImportRow.objects.filter(case_import=case_import).values_list(
            "row_number", "outcome"
        )) == {(2, RowOutcome.ACCEPTED), (4, RowOutcome.ACCEPTED)}  # fmt: skip


def test_data_after_a_run_of_empty_rows_refuses_the_file_naming_the_rows(check, settings):
    settings.CASE_IMPORT_EMPTY_RUN = 5
    rows = [good(1), *([[""] * 9] * 20), good(2)]
    for content, name in ((csv_bytes(rows), "cases.csv"), (workbook(rows), "cases.xlsx")):
        reason = refused(check(content, name))
        assert reason.startswith(
            "Rows 3 to 7 are empty and row 23 below them holds data: reading stops after 5 "
            "empty rows in a row."
        ), name


# The pages -----------------------------------------------------------------------------------


def test_the_upload_page_says_the_limits_and_a_refusal_shows_the_limit_and_row(
    client, manager, settings
):
    settings.CASE_IMPORT_MAX_ROWS = 2
    client.force_login(manager)
    page = client.get(reverse("imports")).content.decode()
    assert "Up to 2 rows of cases below the header row, and up to 256 columns" in page
    assert "Up to 32,767 characters in a cell" in page
    upload = SimpleUploadedFile("cases.csv", csv_bytes([good(n) for n in range(1, 5)]))
    response = client.post(reverse("imports"), {"file": upload})
    page = client.get(response.url).content.decode()
    assert "The import failed" in page
    assert "Row 4 is past the row limit: a file may hold 2 rows below its header row." in page
