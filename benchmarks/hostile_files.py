"""Hostile import files, each within the 20 MB upload cap, written straight to disk.

A workbook is written part by part as raw XML (openpyxl would refuse to write most of these), its
sheet and shared strings streamed into the zip, so a part that unpacks to gigabytes costs no memory
to make. Each builder takes a path and returns nothing; `FILES` names them all for the benchmark.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER = ["reference", "theme", "area", "team", "station", "officer_in_case", "supervisor",
          "occurred_on", "closed_on"]  # fmt: skip
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEET}.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{SPREADSHEET}.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    f'ContentType="{SPREADSHEET}.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
    '<sheets><sheet name="Cases" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{OFFICE}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
PROLOGUE = '<?xml version="1.0" encoding="UTF-8"?>'


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def inline_row(number: int, values: Iterable[str]) -> bytes:
    cells = "".join(
        f'<c r="{column_letter(i)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for i, value in enumerate(values, start=1)
    )
    return f'<row r="{number}">{cells}</row>'.encode()


def header_row() -> bytes:
    return inline_row(1, HEADER)


def write_xlsx(
    path: Path,
    sheet_rows: Iterable[bytes],
    *,
    dimension: str | None = None,
    shared_strings: Iterable[bytes] | None = None,
    level: int = 6,
) -> None:
    """A minimal workbook: one sheet from `sheet_rows` (each a <row> element), and optionally the
    shared-strings part from `shared_strings` (the bytes between <sst> and </sst>)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'{PROLOGUE}<worksheet xmlns="{MAIN}">'.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            _write_buffered(sheet, sheet_rows)
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(f'{PROLOGUE}<sst xmlns="{MAIN}">'.encode())
            _write_buffered(strings, shared_strings or ())
            strings.write(b"</sst>")


def _write_buffered(target, chunks: Iterable[bytes], size: int = 1 << 20) -> None:
    buffer: list[bytes] = []
    held = 0
    for chunk in chunks:
        buffer.append(chunk)
        held += len(chunk)
        if held >= size:
            target.write(b"".join(buffer))
            buffer, held = [], 0
    target.write(b"".join(buffer))


def _repeat(piece: bytes, total: int) -> Iterator[bytes]:
    block = piece * max(1, (1 << 20) // len(piece))
    written = 0
    while written + len(block) <= total:
        yield block
        written += len(block)
    yield piece * ((total - written) // len(piece))


# The hostile files ------------------------------------------------------------------------------


def huge_shared_string(path: Path) -> None:
    """One cell whose shared string unpacks to 1 GB: the file that took a worker to gigabytes."""
    total = 1_000_000_000
    write_xlsx(
        path,
        [header_row(), b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>'],
        shared_strings=[b"<si><t>", *_repeat(b"A" * 1000, total), b"</t></si>"],
        level=9,
    )


def huge_inline_cell(path: Path) -> None:
    """One inline cell of 95 MB, within the sheet's unpacked-size limit."""
    write_xlsx(
        path,
        [
            header_row(),
            b'<row r="2"><c r="A2" t="inlineStr"><is><t>',
            *_repeat(b"B" * 1000, 95_000_000),
            b"</t></is></c></row>",
        ],
        level=9,
    )


def empty_rows_declared(path: Path) -> None:
    """A sheet declaring and holding 1,048,576 formatted empty rows: 2 MB zipped."""
    rows = (f'<row r="{n}" s="1" customFormat="1"/>'.encode() for n in range(2, 1_048_577))
    write_xlsx(path, [header_row(), *rows], dimension="A1:I1048576")


def empty_rows_undeclared(path: Path) -> None:
    """The same rows, each with nine formatted empty cells, and no dimension to give them away."""

    def rows() -> Iterator[bytes]:
        for n in range(2, 440_000):
            cells = "".join(f'<c r="{column_letter(c)}{n}" s="1"/>' for c in range(1, 10))
            yield f'<row r="{n}">{cells}</row>'.encode()

    write_xlsx(path, [header_row(), *rows()])


def many_columns(path: Path) -> None:
    """A header row of 16,384 named columns, Excel's widest, with no dimension."""
    names = HEADER + [f"extra{i}" for i in range(16_384 - len(HEADER))]
    write_xlsx(path, [inline_row(1, names), inline_row(2, ["X"] * 16_384)])


def wide_rows(path: Path) -> None:
    """Rows of nine cells of 30,000 characters each, under the cell limit: as many as fit."""
    cell = "W" * 30_000
    write_xlsx(path, [header_row(), *(inline_row(n, [cell] * 9) for n in range(2, 360))])


def shared_strings_bomb(path: Path) -> None:
    """Millions of short distinct shared strings: each costs a Python object once read."""
    strings = (f"<si><t>{n:x}</t></si>".encode() for n in range(2_000_000))
    write_xlsx(path, [header_row()], shared_strings=strings, level=9)


def entity_expansion(path: Path) -> None:
    """A 'billion laughs' DTD in the shared strings."""
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{MAIN}"><sheetData>{header_row().decode()}</sheetData></worksheet>',
        )
        archive.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]><sst xmlns="{MAIN}">'
            "<si><t>&l9;</t></si></sst>",
        )


def many_entries(path: Path) -> None:
    """A workbook zip of 60,000 tiny parts: a directory that costs memory to read."""
    write_xlsx(path, [header_row()])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as archive:
        for n in range(60_000):
            archive.writestr(f"xl/media/p{n}.xml", b"")


def csv_huge_line(path: Path) -> None:
    """A CSV file of one 19 MB line: no line break to stop a line reader."""
    with path.open("wb") as file:
        file.write(",".join(HEADER).encode() + b"\n")
        for chunk in _repeat(b"C" * 1000, 19_000_000):
            file.write(chunk)


def csv_huge_quoted_cell(path: Path) -> None:
    """A quoted CSV cell of 19 MB spread over short lines, so no line is long."""
    with path.open("wb") as file:
        file.write(",".join(HEADER).encode() + b'\nWE-1,"')
        for chunk in _repeat(b"D" * 79 + b"\n", 19_000_000):
            file.write(chunk)
        file.write(b'"\n')


def csv_empty_lines(path: Path) -> None:
    """Two cases, then 19 million empty lines: what a spreadsheet exports of formatted rows."""
    with path.open("wb") as file:
        file.write(",".join(HEADER).encode() + b"\n")
        file.write(b"WE-1,DA,west,response,,,,2026-10-03,\nWE-2,DA,west,response,,,,2026-10-03,\n")
        for chunk in _repeat(b"\n", 19_000_000):
            file.write(chunk)


def csv_rows(count: int) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        def rows() -> Iterator[bytes]:
            for n in range(count):
                station, officer = "West station", 1000 + n % 1500
                yield f"WE/{n:07d},DA,west,response,{station},{officer},,2026-10-03,\n".encode()

        with path.open("wb") as file:
            file.write(",".join(HEADER).encode() + b"\n")
            _write_buffered(file, rows())

    build.__doc__ = f"{count:,} plain rows of cases."
    return build


@dataclass(frozen=True)
class HostileFile:
    name: str
    suffix: str
    build: Callable[[Path], None]
    settings: tuple[tuple[str, object], ...] = ()


FILES = [
    HostileFile("small workbook (baseline)", "xlsx", lambda p: write_xlsx(p, [header_row()])),
    HostileFile("one shared string of 1 GB", "xlsx", huge_shared_string),
    HostileFile("one inline cell of 95 MB", "xlsx", huge_inline_cell),
    HostileFile("1M empty rows, declared", "xlsx", empty_rows_declared),
    HostileFile("440k formatted empty rows, undeclared", "xlsx", empty_rows_undeclared),
    HostileFile("16,384 columns", "xlsx", many_columns),
    HostileFile("wide rows (9 x 30,000 characters)", "xlsx", wide_rows),
    HostileFile("2M shared strings", "xlsx", shared_strings_bomb),
    HostileFile("entity expansion (DTD)", "xlsx", entity_expansion),
    HostileFile("60,000 zip entries", "xlsx", many_entries),
    HostileFile("CSV: one 19 MB line", "csv", csv_huge_line),
    HostileFile("CSV: a 19 MB quoted cell", "csv", csv_huge_quoted_cell),
    HostileFile("CSV: 19M empty lines", "csv", csv_empty_lines),
    HostileFile("CSV: 150,000 rows", "csv", csv_rows(150_000)),
    HostileFile(
        "CSV: 100,000 rows, 3 s budget",
        "csv",
        csv_rows(100_000),
        settings=(("CASE_IMPORT_TIME_BUDGET_SECONDS", 3),),
    ),
]
