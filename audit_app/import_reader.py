"""Reading an uploaded CSV or XLSX file row by row, within bounds on memory and time.

A 20 MB upload can unpack to gigabytes: a workbook is a zip of XML, and one cell or a table of
shared strings can be made to hold more than a worker has. So nothing here reads a file whole.
Every limit is checked while reading, never after: a workbook's parts by their unpacked sizes
before openpyxl opens them, the sheet's declared dimensions before its first row, then each row as
it arrives (its size, its cells' lengths, its number) and the time spent. A refusal says which
limit was passed and at which row, so the person who uploaded the file can mend it.

Empty rows are skipped. After a run of `empty_run` of them the rest of the file is scanned for
data, not parsed, so a file may end in any number of empty rows (spreadsheets keep the rows once
formatted) at little cost; if data follows the run, the file is refused, naming the rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

logger = logging.getLogger(__name__)

Row = tuple[int, Sequence[Any]]
# iterparse is openpyxl's parser (defusedxml's when installed); every part read passes _BoundedPart,
# which refuses a DTD, so no entity can expand.

# Excel's own bounds: a sheet cannot be larger, whatever a file claims.
EXCEL_MAX_ROWS = 1_048_576
CSV_FORMAT = "csv"
XLSX_FORMAT = "xlsx"
_SI_TAG = f"{{{SHEET_MAIN_NS}}}si"
_DIMENSION_TAG = f"{{{SHEET_MAIN_NS}}}dimension"
_SHEET_DATA_TAG = f"{{{SHEET_MAIN_NS}}}sheetData"
# OOXML never declares a DTD; one in a part can only be there to expand entities.
_DTD_MARKERS = tuple(
    marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY") for encoding in
    ("utf-8", "utf-16-le", "utf-16-be")
)  # fmt: skip
_DTD_CARRY = max(len(marker) for marker in _DTD_MARKERS)
_CHUNK = 1 << 20
# In a sheet's XML, whatever the namespace prefix: a value or text element with content, and a
# row's number. Used only to look past empty rows, never to read a value.
_XML_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:v|t)(?:\s[^>]*)?>\s*[^<\s]")
_XML_ROW = re.compile(rb"<(?:[\w.-]+:)?row\s[^>]*?\br=\"(\d+)\"")
_XML_STRING = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")
_XML_CARRY = 4096
# The characters of a CSV row that holds nothing: separators, quotes and white space.
_CSV_EMPTY = " \t\r\n\"',;"


class FileRefused(Exception):
    """The file cannot be read within the limits, or at all; the message says why and where."""


@dataclass(frozen=True)
class ReadLimits:
    """How much of a file is read before it is refused. Sizes are in bytes, times in seconds."""

    max_rows: int = 100_000  # below the header row
    max_columns: int = 256
    max_cell_chars: int = 32_767  # Excel's own limit for a cell
    max_row_bytes: int = 1_000_000  # a CSV row's characters, or a sheet row's XML
    time_budget_seconds: float = 120.0
    empty_run: int = 1_000
    max_zip_entries: int = 1_000
    max_sheet_bytes: int = 100_000_000  # a worksheet's XML, unpacked
    max_shared_strings_bytes: int = 50_000_000
    max_shared_strings: int = 1_000_000
    max_other_bytes: int = 16_000_000  # every other part of the workbook together, unpacked


def column_name(index: int) -> str:
    """'column 5 (E)' for the 0-based index 4."""
    number = index + 1
    letter = get_column_letter(number) if number <= 18_278 else "beyond XFD"
    return f"column {number:,} ({letter})"


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB" if size < 10_000_000 else f"{size / 1_000_000:,.0f} MB"


class _Budget:
    """The time budget, counted from the start of reading."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def check_row(self, number: int) -> None:
        if time.monotonic() > self.deadline:
            self.check(f"row {number:,}")

    def check(self, where: str) -> None:
        if time.monotonic() > self.deadline:
            raise FileRefused(
                f"Reading stopped at {where}: checking the file took longer than the time limit "
                f"of {self.seconds:,.0f} seconds. Split it into smaller files and upload each."
            )


def is_filled(value: Any) -> bool:
    """Whether a cell holds anything: not None, not empty or white space."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value) and not value.isspace()
    return True


class BoundedRows:
    """The rows of one file, each `(row number, values)`, the header row first; empty rows skipped.

    Opening reads only what it must to check the file's declared sizes; iterating reads one row at
    a time. Use it as a context manager so a workbook's archive is closed.
    """

    def __init__(self, file: IO[bytes], file_format: str, limits: ReadLimits) -> None:
        self.limits = limits
        self.budget = _Budget(limits.time_budget_seconds)
        if file_format == XLSX_FORMAT:
            self._source: _CsvSource | _XlsxSource = _XlsxSource(file, limits, self.budget)
        elif file_format == CSV_FORMAT:
            self._source = _CsvSource(file, limits)
        else:
            raise ValueError(f"unknown file format {file_format!r}")

    @property
    def estimated_rows(self) -> int:
        """Rows below the header, as the file declares or suggests: for a progress bar only."""
        return self._source.estimated_rows

    def __enter__(self) -> BoundedRows:
        return self

    def __exit__(self, *exc: object) -> None:
        self._source.close()

    def __iter__(self) -> Iterator[Row]:
        limits = self.limits
        last_allowed = limits.max_rows + 1
        empty_from: int | None = None
        for number, values in self._source:
            self.budget.check_row(number)
            if not any(is_filled(value) for value in values):
                if empty_from is None:
                    empty_from = number
                if number - empty_from + 1 >= limits.empty_run:
                    self._refuse_data_after(empty_from, number)
                    return
                continue
            empty_from = None
            if number > last_allowed:
                raise FileRefused(
                    f"Row {number:,} is past the row limit: a file may hold {limits.max_rows:,} "
                    "rows below its header row. Split it into smaller files and upload each."
                )
            self._check_cells(number, values)
            yield number, values

    def _check_cells(self, number: int, values: Sequence[Any]) -> None:
        limits = self.limits
        for index, value in enumerate(values):
            if isinstance(value, str) and len(value) > limits.max_cell_chars:
                raise FileRefused(
                    f"Row {number:,}, {column_name(index)}, holds {len(value):,} characters: the "
                    f"cell-length limit is {limits.max_cell_chars:,}. Shorten the cell or remove "
                    "the column, and upload the file again."
                )
        if len(values) > limits.max_columns and any(
            is_filled(value) for value in values[limits.max_columns :]
        ):
            index = next(i for i in range(len(values) - 1, -1, -1) if is_filled(values[i]))
            raise FileRefused(
                f"Row {number:,} has a value in {column_name(index)}: the column limit is "
                f"{limits.max_columns:,} columns. Remove the columns beyond it and upload the "
                "file again."
            )

    def _refuse_data_after(self, empty_from: int, number: int) -> None:
        following = self._source.next_data_row(number, self.budget)
        if following is not None:
            raise FileRefused(
                f"Rows {empty_from:,} to {number:,} are empty and row {following:,} below them "
                f"holds data: reading stops after {self.limits.empty_run:,} empty rows in a row. "
                "Delete the empty rows and upload the file again."
            )


# CSV ---------------------------------------------------------------------------------------------


def _unwrap(file: Any) -> Any:
    """The file object beneath Django's File wrappers, which io.TextIOWrapper cannot read."""
    while not isinstance(file, io.IOBase) and getattr(file, "file", None) is not None:
        file = file.file
    return file


def detect_encoding(file: IO[bytes]) -> str:
    """The text encoding: a byte-order mark's, else UTF-8 if every byte decodes, else cp1252."""
    head = file.read(4)
    file.seek(0)
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return encoding
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := file.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    finally:
        file.seek(0)
    return "utf-8"


# The five bytes Windows-1252 leaves undefined: a file holding one is in neither UTF-8 nor it.
_CP1252_UNDEFINED = re.compile(b"[\x81\x8d\x8f\x90\x9d]")
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-32": "UTF-32",
    "cp1252": "Windows-1252",
}


class _CsvSource:
    """Records of a CSV file, read a line at a time so no row can be larger than its limit."""

    def __init__(self, file: IO[bytes], limits: ReadLimits) -> None:
        self.limits = limits
        raw = _unwrap(file)
        raw.seek(0)
        self.encoding = detect_encoding(raw)
        newlines = 0
        while chunk := raw.read(_CHUNK):
            if self.encoding == "cp1252" and (byte := _CP1252_UNDEFINED.search(chunk)):
                self.number = newlines + chunk.count(b"\n", 0, byte.start())
                raise self._refuse_undecodable(exact=True)
            newlines += chunk.count(b"\n")
        raw.seek(0)
        self.estimated_rows = max(newlines - 1, 0)
        self.text = io.TextIOWrapper(raw, encoding=self.encoding, newline="")
        self.number = 0  # the last record read
        self.chars_in_record = 0

    def close(self) -> None:
        self.text.detach()

    def _refuse_undecodable(self, exact: bool = False) -> FileRefused:
        label = ENCODING_LABELS.get(self.encoding, self.encoding)
        # The decoder reads ahead of the row being parsed, so its error is near the row, not at it.
        where = f"Row {self.number + 1:,}" + ("" if exact else " (or one soon after it)")
        return FileRefused(
            f"{where} could not be read as {label} text. Save the file as 'CSV UTF-8' and "
            "upload it again."
        )

    def _lines(self) -> Iterator[str]:
        limit = self.limits.max_row_bytes
        while True:
            try:
                line = self.text.readline(limit + 1)
            except UnicodeDecodeError as error:
                raise self._refuse_undecodable() from error
            if not line:
                return
            # A quoted cell may hold line breaks, so a record can take many lines: count them all.
            self.chars_in_record += len(line)
            if self.chars_in_record > limit:
                raise FileRefused(
                    f"Row {self.number + 1:,} is longer than the row-length limit of {limit:,} "
                    "characters (a quote left open makes the rest of the file one row). Mend "
                    "the row and upload the file again."
                )
            yield line

    def __iter__(self) -> Iterator[Row]:
        lines = self._lines()
        first = next(lines, "")
        # The header row decides the separator: Excel saves with ; or tab in some locales.
        delimiter = ","
        if "," not in first:
            delimiter = "\t" if "\t" in first else ";" if ";" in first else ","
        records = csv.reader(_chain(first, lines), delimiter=delimiter)
        while True:
            try:
                fields = next(records)
            except StopIteration:
                return
            except csv.Error as error:
                if "field larger than field limit" in str(error):
                    raise FileRefused(
                        f"Row {self.number + 1:,} holds a cell of more than "
                        f"{csv.field_size_limit():,} characters: the cell-length limit is "
                        f"{self.limits.max_cell_chars:,}. Shorten the cell and upload the file "
                        "again."
                    ) from error
                raise FileRefused(
                    f"Row {self.number + 1:,} could not be read as CSV ({error})."
                ) from error
            self.number += 1
            self.chars_in_record = 0
            yield self.number, fields

    def next_data_row(self, number: int, budget: _Budget) -> int | None:
        """After a run of empty rows: the number of the next row holding anything, or None.

        The rest of the file is scanned as text, not parsed: empty rows cost no work per row.
        """
        breaks = 0
        while True:
            budget.check(f"the empty rows after row {number:,}")
            try:
                chunk = self.text.read(_CHUNK)
            except UnicodeDecodeError as error:
                raise self._refuse_undecodable() from error
            if not chunk:
                return None
            rest = chunk.lstrip(_CSV_EMPTY)
            if rest:
                return number + breaks + chunk[: len(chunk) - len(rest)].count("\n") + 1
            breaks += chunk.count("\n")


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest


# XLSX --------------------------------------------------------------------------------------------


class _BoundedArchive(zipfile.ZipFile):
    """The workbook's zip, through which openpyxl reads every part: each read is bounded.

    A worksheet or the shared strings may not hold more than `max_row_bytes` of XML between two
    rows (or strings), so no row or string can be large enough to matter, however the XML is
    written; every other part together may not unpack to more than `max_other_bytes`; no part may
    declare a DTD.
    """

    def __init__(self, file: IO[bytes], limits: ReadLimits) -> None:
        super().__init__(file)
        self.limits = limits
        self.streamed_parts: set[str] = set()  # the worksheets and the shared strings
        self.other_bytes = 0
        self.current: _BoundedPart | None = None
        self.strings_path: str | None = None
        self.last_row = 0

    def open(self, name, mode="r", pwd=None, *, force_zip64=False):  # type: ignore[override]
        stream = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode != "r":
            return stream
        part = name.filename if isinstance(name, zipfile.ZipInfo) else name
        guarded = _BoundedPart(stream, part, self, streamed=part in self.streamed_parts)
        if part in self.streamed_parts:
            self.current = guarded
        return guarded

    def mark(self, row: int) -> None:
        """A row (or a string) has been read: count the next one's bytes from here."""
        self.last_row = row
        if self.current is not None:
            self.current.since_mark = 0


class _BoundedPart(io.RawIOBase):
    def __init__(self, raw: IO[bytes], name: str, archive: _BoundedArchive, streamed: bool):
        super().__init__()
        self.raw = raw
        self.name = name
        self.archive = archive
        self.streamed = streamed
        self.since_mark = 0
        self.tail = b""
        self.recent = b""  # the last two reads: what a parser may hold unparsed
        self.last_read = b""

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.raw.close()
        super().close()

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        self._check(data)
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(_CHUNK), b""))
        data = self.raw.read(size)
        self._check(data)
        return data

    def _check(self, data: bytes) -> None:
        window = self.tail + data
        if any(marker in window for marker in _DTD_MARKERS):
            raise FileRefused(
                f"The workbook's part {self.name} declares a DTD, which no spreadsheet needs: "
                "the file is refused. Save it again from Excel and upload it."
            )
        self.tail = window[-_DTD_CARRY:]
        limits = self.archive.limits
        if self.streamed:
            self.recent, self.last_read = self.last_read + data, data
            self.since_mark += len(data)
            if self.since_mark > limits.max_row_bytes:
                done = self.archive.last_row
                if self.name == self.archive.strings_path:
                    where = f"The workbook's shared string {done + 1:,}"
                elif done:
                    where = f"Row {done + 1:,} (or what follows row {done:,})"
                else:
                    where = f"The start of the sheet {self.name}"
                raise FileRefused(
                    f"{where} is larger than the row-size limit of "
                    f"{_megabytes(limits.max_row_bytes)} of spreadsheet XML: a cell or a row "
                    "holds far more than a case needs. Remove it and upload the file again."
                )
        else:
            self.archive.other_bytes += len(data)
            if self.archive.other_bytes > limits.max_other_bytes:
                raise FileRefused(
                    f"The workbook's parts other than its sheets and shared strings unpack to "
                    f"more than {_megabytes(limits.max_other_bytes)}: the limit for them. Copy "
                    "the cases into a new workbook and upload that."
                )


class _BoundedSheet(ReadOnlyWorksheet):
    """A read-only sheet whose declared size is read without reading its rows.

    openpyxl reads the whole sheet for its size when the dimension element is missing; here a
    missing dimension is only missing.
    """

    def _get_size(self) -> None:
        with self._get_source() as source:
            for _event, element in iterparse(source, events=("start",)):
                if element.tag == _DIMENSION_TAG:
                    try:
                        bounds = range_boundaries(element.get("ref", ""))
                    except (TypeError, ValueError):
                        return
                    if None not in bounds:
                        self._min_column, self._min_row, self._max_column, self._max_row = bounds
                    return
                if element.tag == _SHEET_DATA_TAG:
                    return


class _XlsxSource:
    """The rows of a workbook's active sheet, read by openpyxl in read-only mode, within bounds."""

    def __init__(self, file: IO[bytes], limits: ReadLimits, budget: _Budget) -> None:
        self.limits = limits
        raw = _unwrap(file)
        _check_zip_directory(raw, limits)
        try:
            self.archive = _BoundedArchive(raw, limits)
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise FileRefused("The file could not be read as an Excel workbook (.xlsx).") from error
        try:
            self.sheet = self._open(budget)
        except FileRefused:
            self.archive.close()
            raise
        except Exception as error:
            self.archive.close()
            logger.warning("a workbook could not be opened", exc_info=True)
            raise FileRefused(
                "The file could not be read as an Excel workbook (.xlsx): it is damaged or not "
                "a workbook. Save it again from Excel and upload it."
            ) from error
        declared = self.sheet.max_row
        self.estimated_rows = max((declared or 0) - 1, 0)

    def _open(self, budget: _Budget) -> _BoundedSheet:
        limits, archive = self.limits, self.archive
        sizes = {info.filename: info.file_size for info in archive.infolist()}
        for name, size in sizes.items():
            limit = (
                limits.max_shared_strings_bytes
                if name.lower().endswith("sharedstrings.xml")
                else limits.max_sheet_bytes
            )
            if size > limit:
                raise _refuse_part(name, size, limit)
        reader = ExcelReader(archive.fp, read_only=True, data_only=True, keep_links=False)
        reader.archive.close()
        reader.archive, reader.valid_files = archive, archive.namelist()
        reader.read_manifest()
        strings_part = reader.package.find(SHARED_STRINGS)
        strings_path = strings_part.PartName[1:] if strings_part is not None else None
        reader.read_workbook()
        worksheets = [
            (sheet, rel)
            for sheet, rel in reader.parser.find_sheets()
            if rel.target in sizes and "chartsheet" not in rel.Type
        ]
        if not worksheets:
            raise FileRefused("The workbook has no worksheet.")
        # The parts now known, their declared sizes are checked before any is read.
        sheet_paths = {rel.target for _, rel in worksheets}
        for path in sheet_paths:
            if sizes[path] > limits.max_sheet_bytes:
                raise _refuse_part(path, sizes[path], limits.max_sheet_bytes)
        if strings_path in sizes and sizes[strings_path] > limits.max_shared_strings_bytes:
            raise _refuse_part(strings_path, sizes[strings_path], limits.max_shared_strings_bytes)
        others = sum(
            size for name, size in sizes.items() if name not in sheet_paths | {strings_path}
        )
        if others > limits.max_other_bytes:
            raise FileRefused(
                f"The workbook's parts other than its sheets and shared strings unpack to "
                f"{_megabytes(others)}: the limit for them is {_megabytes(limits.max_other_bytes)}."
                " Copy the cases into a new workbook and upload that."
            )
        archive.streamed_parts = sheet_paths | ({strings_path} if strings_path else set())
        archive.strings_path = strings_path
        if strings_path in sizes:
            reader.shared_strings = _read_shared_strings(archive, strings_path, limits, budget)
        archive.mark(0)
        apply_stylesheet(archive, reader.wb)
        active = reader.wb._active_sheet_index
        candidates = [rel for sheet, rel in reader.parser.find_sheets() if rel.target in sizes]
        chosen = candidates[active] if 0 <= active < len(candidates) else None
        if chosen is None or chosen.target not in sheet_paths:
            chosen = worksheets[0][1]
        name = next(sheet.name for sheet, rel in worksheets if rel.target == chosen.target)
        sheet = _BoundedSheet(reader.wb, name, chosen.target, reader.shared_strings)
        self._check_dimension(sheet)
        sheet.reset_dimensions()  # read every row there is: a dimension can understate
        return sheet

    def _check_dimension(self, sheet: _BoundedSheet) -> None:
        limits = self.limits
        if sheet.max_row is None or sheet.max_column is None:
            return  # no dimension declared: the rows are counted as they are read
        ref = (
            f"{get_column_letter(sheet.min_column)}{sheet.min_row}:"
            f"{get_column_letter(min(sheet.max_column, 18_278))}{sheet.max_row}"
        )
        if sheet.max_row > limits.max_rows + 1:
            raise FileRefused(
                f"The sheet declares {sheet.max_row:,} rows ({ref}): the row limit is "
                f"{limits.max_rows:,} rows below the header. Delete the empty rows below the "
                "cases (or copy the cases into a new workbook), or split the file, and upload "
                "it again."
            )
        if sheet.max_column > limits.max_columns:
            raise FileRefused(
                f"The sheet declares {sheet.max_column:,} columns ({ref}): the column limit is "
                f"{limits.max_columns:,}. Delete the columns the import does not need and upload "
                "the file again."
            )

    def close(self) -> None:
        self.archive.close()

    def __iter__(self) -> Iterator[Row]:
        number = 0
        rows = self.sheet.iter_rows(values_only=True)
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except FileRefused:
                raise
            except Exception as error:
                logger.warning("row %s of a workbook could not be read", number + 1, exc_info=True)
                raise FileRefused(
                    f"Row {number + 1:,} could not be read: the workbook is damaged there "
                    f"({type(error).__name__}). Save it again from Excel and upload it."
                ) from error
            number += 1
            if number > EXCEL_MAX_ROWS:
                raise FileRefused(f"The sheet has rows past row {EXCEL_MAX_ROWS:,}, Excel's last.")
            self.archive.mark(number)
            yield number, values

    def next_data_row(self, number: int, budget: _Budget) -> int | None:
        """After a run of empty rows: the number of the row holding the next value, or None.

        The rest of the sheet's XML is scanned for a value, not parsed: openpyxl takes several
        microseconds a cell, and a sheet can hold millions of formatted empty cells. The scan
        starts with the XML openpyxl has read but may not have parsed yet; values in rows up to
        `number` were parsed, and are passed over.
        """
        stream = self.archive.current
        if stream is None:
            return None
        window, searched, rows_searched = stream.recent, 0, 0
        last_row: int | None = None
        while True:
            value = _XML_VALUE.search(window, searched)
            end = value.start() if value else len(window)
            for row in _XML_ROW.finditer(window, rows_searched, end):
                last_row = int(row.group(1))
            rows_searched = end
            if value and last_row is not None and last_row <= number:
                searched = value.end()
                continue
            if value:
                return max(last_row or 0, number + 1)
            budget.check(f"the empty rows after row {number:,}")
            chunk = stream.raw.read(_CHUNK)
            if not chunk:
                return None
            kept = window[-_XML_CARRY:]
            dropped = len(window) - len(kept)
            searched, rows_searched = max(searched - dropped, 0), max(rows_searched - dropped, 0)
            window = kept + chunk


def _refuse_part(name: str, size: int, limit: int) -> FileRefused:
    return FileRefused(
        f"The workbook's part {name} unpacks to {_megabytes(size)}: the limit for it is "
        f"{_megabytes(limit)}. A workbook of cases is far smaller; copy the cases into a new "
        "workbook and upload that."
    )


def _check_zip_directory(file: IO[bytes], limits: ReadLimits) -> None:
    """Refuse a zip of too many entries before zipfile reads its directory into memory."""
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(max(size - 65_557, 0))
    tail = file.read()
    file.seek(0)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        raise FileRefused("The file could not be read as an Excel workbook (.xlsx).")
    entries = int.from_bytes(tail[end + 10 : end + 12], "little")
    if entries == 0xFFFF or entries > limits.max_zip_entries:
        raise FileRefused(
            f"The workbook holds {entries:,} parts or more: the limit is "
            f"{limits.max_zip_entries:,}. Copy the cases into a new workbook and upload that."
        )


_T_TAG = f"{{{SHEET_MAIN_NS}}}t"
_R_TAG = f"{{{SHEET_MAIN_NS}}}r"


def _string_text(node: Any) -> str:
    """A shared string's text, as openpyxl's Text.content gives it (phonetic runs left out)."""
    parts = []
    for child in node:
        if child.tag == _T_TAG:
            parts.append(child.text or "")
        elif child.tag == _R_TAG:
            run = child.find(_T_TAG)
            if run is not None:
                parts.append(run.text or "")
    return "".join(parts).replace("x005F_", "")


def _count_shared_strings(archive: _BoundedArchive, path: str, limits: ReadLimits) -> None:
    """Refuse too many shared strings before parsing any: their tags are counted in the XML.

    A tag inside a comment is counted too, so a table within the limit is refused here only if it
    is odd; one beyond the limit costs a scan, not a parse (which counts exactly).
    """
    count, carry = 0, b""
    with zipfile.ZipFile.open(archive, path) as raw:
        while chunk := raw.read(_CHUNK):
            window = carry + chunk
            # A tag starting before the last "<" ends before it: count those, carry the rest.
            cut = window.rfind(b"<")
            count += len(_XML_STRING.findall(window, 0, max(cut, 0)))
            carry = window[cut : cut + 256] if cut >= 0 else b""
    count += len(_XML_STRING.findall(carry))
    if count > limits.max_shared_strings:
        raise FileRefused(
            f"The workbook holds {count:,} different texts (its shared strings): the limit for "
            f"them is {limits.max_shared_strings:,}. Split the file and upload each part."
        )


def _read_shared_strings(
    archive: _BoundedArchive, path: str, limits: ReadLimits, budget: _Budget
) -> list[str]:
    """The workbook's table of shared strings, one string at a time, within the limits.

    openpyxl's own reader keeps every parsed element until the end; this one drops each string's
    elements once read, and counts the strings and their lengths as they come.
    """
    _count_shared_strings(archive, path, limits)
    strings: list[str] = []
    with archive.open(path) as source:
        root = None
        for event, node in iterparse(source, events=("start", "end")):
            if root is None:
                root = node
                continue
            if event != "end" or node.tag != _SI_TAG:
                continue
            text = _string_text(node)
            if len(text) > limits.max_cell_chars:
                raise FileRefused(
                    f"The workbook's shared string number {len(strings) + 1:,} holds "
                    f"{len(text):,} characters: the cell-length limit is "
                    f"{limits.max_cell_chars:,}. Shorten the cell and upload the file again."
                )
            strings.append(text)
            if len(strings) > limits.max_shared_strings:
                raise FileRefused(
                    f"The workbook holds more than {limits.max_shared_strings:,} different "
                    "texts (its shared strings): the limit for them. Split the file and upload "
                    "each part."
                )
            node.clear()
            root.clear()
            archive.mark(len(strings))
            if len(strings) % 1000 == 0:
                budget.check(f"the workbook's shared string {len(strings):,}")
    return strings
