"""Importing candidate cases from the records system's CSV or XLSX export.

Two steps. `case_import_check` reads the file a row at a time (`import_reader`, within limits on
rows, cell lengths, row sizes, a workbook's unpacked parts and time), checks every row and stores
each row's outcome (accepted, rejected with the reason, or already known) without creating a case.
A fault in the file as a whole (a limit passed, a column missing or repeated) refuses the file,
saying which limit or column and at which row; a fault in one row (a value beyond the named
columns, a NUL or control character, a bad code or date) rejects that row with its number. After
the audit manager has read the preview, `case_import_save` creates the accepted cases in one
transaction: a failure anywhere saves nothing. Both run in Celery, on the imports queue (in-process
on the embedded default), so a file of 100,000 rows holds up neither a web request nor a report.
"""

from __future__ import annotations

import codecs
import datetime
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from audit_app import import_reader
from audit_app.audits.models import Case
from audit_app.dates import plausible_date_problem
from audit_app.import_reader import column_name, is_filled
from audit_app.models import Area, Force, Role, StaffMember, Team, User
from audit_app.models.reference import CaseTheme
from audit_app.permissions import areas_for, user_scope
from audit_app.queueing import task_named
from audit_app.rounds.models import (
    CaseImport,
    CaseImportFormat,
    CaseImportRow,
    CaseImportState,
    RowOutcome,
)

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("reference", "theme", "area", "team", "occurred_on")
OPTIONAL_COLUMNS = ("station", "officer_in_case", "supervisor", "closed_on")
COLUMN_LABELS = {
    "reference": "case reference",
    "theme": "theme code",
    "area": "area",
    "team": "team",
    "occurred_on": "date recorded (occurred_on)",
    "station": "station",
    "officer_in_case": "officer in case",
    "supervisor": "supervisor",
    "closed_on": "date closed (closed_on)",
}
COLUMN_ALIASES = {
    "case_reference": "reference",
    "crime_reference": "reference",
    "theme_code": "theme",
    "area_code": "area",
    "team_code": "team",
    "oic": "officer_in_case",
    "recorded_on": "occurred_on",
    "date_recorded": "occurred_on",
    "date_closed": "closed_on",
}
# A records-system reference: letters, digits and / - _ . only. This also refuses a cell that a
# spreadsheet would run as a formula (=, +, -, @ first).
REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.\-]{0,39}$")
STAFF_IDENTIFIER_PATTERN = re.compile(r"^[A-Za-z0-9]{1,20}$")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
ISO_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
BATCH_SIZE = 2000
PROGRESS_EVERY = 5000
REASON_MAX_LENGTH = 300  # CaseImportRow.reason
# C0 and C1 control characters (tab apart), DEL, and the characters that embed, override or
# isolate the direction of text: a reference holding U+202E can show as another reference.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
DIRECTION_CHARACTERS = re.compile("[\u202a-\u202e\u2066-\u2069]")


class ImportFileRefused(ValidationError):
    """The file as a whole cannot be read: wrong type, too big, or columns missing."""


def _normalise_header(header: object) -> str:
    name = re.sub(r"[\s\-]+", "_", str(header or "").strip().lower())
    return COLUMN_ALIASES.get(name, name)


def check_upload(upload: UploadedFile) -> str:
    """The file's format, or a refusal: only CSV and XLSX files within the size limit."""
    limit = settings.CASE_IMPORT_MAX_BYTES
    if upload.size > limit:
        raise ImportFileRefused(
            f"The file is {upload.size / 1_000_000:.1f} MB; the limit is "
            f"{limit / 1_000_000:.0f} MB. Split it into smaller files."
        )
    if upload.size == 0:
        raise ImportFileRefused("The file is empty.")
    name = (upload.name or "").lower()
    head = upload.read(8)
    upload.seek(0)
    if name.endswith(".xlsx"):
        if not head.startswith(b"PK\x03\x04"):
            raise ImportFileRefused("The file is named .xlsx but is not an Excel workbook.")
        return CaseImportFormat.XLSX
    if name.endswith(".csv"):
        if head.startswith(b"PK\x03\x04"):
            raise ImportFileRefused(
                "The file is named .csv but is not a text file: it looks like an Excel workbook. "
                "Name it .xlsx, or save it as 'CSV UTF-8'."
            )
        boms = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        if b"\x00" in head and not head.startswith(boms):
            if head[1::2].count(0) == len(head[1::2]) or head[0::2].count(0) == len(head[0::2]):
                raise ImportFileRefused(
                    "The file is UTF-16 text without a byte-order mark, so its characters cannot "
                    "be told apart. Save it as 'CSV UTF-8' and upload it again."
                )
            raise ImportFileRefused("The file is named .csv but is not a text file.")
        return CaseImportFormat.CSV
    raise ImportFileRefused("The file must be a CSV or an Excel workbook (.xlsx).")


def case_import_start(*, force: Force, by: User, upload: UploadedFile) -> CaseImport:
    """Keep the upload and queue its check. Refuses the wrong role or a file it cannot read."""
    if not areas_for(by, (Role.AUDIT_MANAGER,)).filter(force=force).exists():
        raise PermissionDenied("Only an audit manager imports candidate cases.")
    file_format = check_upload(upload)
    case_import = CaseImport.objects.create(
        force=force, uploaded_by=by, file_name=upload.name[:255], file_format=file_format
    )
    case_import.file.save(f"{case_import.pk}.{file_format}", upload, save=True)
    return case_import


def import_limits() -> import_reader.ReadLimits:
    """The reading limits, from the CASE_IMPORT_<NAME> settings (CASE_IMPORT_MAX_ROWS...)."""
    return import_reader.ReadLimits(
        **{
            limit.name: getattr(settings, f"CASE_IMPORT_{limit.name.upper()}")
            for limit in fields(import_reader.ReadLimits)
        }
    )


@dataclass
class _Lookups:
    """What a row's codes and names may refer to, loaded once per import."""

    themes: dict[str, int]
    areas: dict[str, int]
    allowed_area_ids: set[int]
    teams: dict[tuple[int, str], int]
    seen_references: set[tuple[int, str]] = field(default_factory=set)

    @classmethod
    def load(cls, force: Force, user: User) -> _Lookups:
        themes = {code.upper(): pk for pk, code in CaseTheme.objects.values_list("pk", "code")}
        areas: dict[str, int] = {}
        for pk, code, name in Area.objects.filter(force=force).values_list("pk", "code", "name"):
            areas[code.lower()] = pk
            areas[name.lower()] = pk
        teams: dict[tuple[int, str], int] = {}
        for pk, area_id, code, name in Team.objects.filter(area__force=force).values_list(
            "pk", "area_id", "code", "name"
        ):
            teams[(area_id, code.lower())] = pk
            teams[(area_id, name.lower())] = pk
        allowed = set(
            areas_for(user, (Role.AUDIT_MANAGER,)).filter(force=force).values_list("pk", flat=True)
        )
        return cls(themes=themes, areas=areas, allowed_area_ids=allowed, teams=teams)


class RowRefused(Exception):
    pass


def _text(row: dict, column: str) -> str:
    value = row.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(row: dict, column: str, label: str, required: bool) -> datetime.date | None:
    value = row.get(column)
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(row, column)
    if not text:
        if required:
            raise RowRefused(f"Missing field: {label}.")
        return None
    if ISO_DATE_PATTERN.match(text[:10]):
        # The usual case, read without strptime (several times faster); the same dates pass.
        try:
            return datetime.date.fromisoformat(text[:10])
        except ValueError:
            pass
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text[:10], date_format).date()
        except ValueError:
            continue
    raise RowRefused(f"Bad date in {label}: use YYYY-MM-DD or DD/MM/YYYY.")


def check_row(row: dict, lookups: _Lookups, today: datetime.date) -> tuple[str, dict]:
    """The row's reference and the values to save, or RowRefused with the reason."""
    for column, label in (
        ("reference", "case reference"),
        ("theme", "theme code"),
        ("area", "area"),
        ("team", "team"),
    ):
        if not _text(row, column):
            raise RowRefused(f"Missing field: {label}.")
    reference = _text(row, "reference")
    if not REFERENCE_PATTERN.match(reference):
        raise RowRefused(
            "The case reference must be up to 40 letters, digits and / - _ . characters, "
            "starting with a letter or digit."
        )
    theme_id = lookups.themes.get(_text(row, "theme").upper())
    if theme_id is None:
        raise RowRefused(f"Unknown theme code {_text(row, 'theme')[:20]!r}.")
    area_id = lookups.areas.get(_text(row, "area").lower())
    if area_id is None:
        raise RowRefused(f"Unknown area {_text(row, 'area')[:40]!r}.")
    if area_id not in lookups.allowed_area_ids:
        raise RowRefused("The area is not one you manage audits for.")
    team_id = lookups.teams.get((area_id, _text(row, "team").lower()))
    if team_id is None:
        raise RowRefused(f"Unknown team {_text(row, 'team')[:60]!r} in that area.")
    occurred_on = _date(row, "occurred_on", "date recorded (occurred_on)", required=True)
    closed_on = _date(row, "closed_on", "date closed (closed_on)", required=False)
    if occurred_on > today:
        raise RowRefused("Bad date in occurred_on: it is in the future.")
    # The one rule for plausible dates (audit_app.dates): a case recorded in year 1 is a slip.
    for column, value in (("occurred_on", occurred_on), ("closed_on", closed_on)):
        if value and (problem := plausible_date_problem(value, past_only=True, today=today)):
            raise RowRefused(f"Bad date in {column}: the date {problem}.")
    if closed_on and closed_on < occurred_on:
        raise RowRefused("Bad date in closed_on: it is before the date recorded.")
    staff = {}
    for column, label in (("officer_in_case", "officer in case"), ("supervisor", "supervisor")):
        identifier = _text(row, column)
        if identifier and not STAFF_IDENTIFIER_PATTERN.match(identifier):
            raise RowRefused(f"The {label} must be a collar number or staff ID (letters, digits).")
        staff[column] = identifier
    key = (area_id, reference.upper())
    if key in lookups.seen_references:
        raise RowRefused("Duplicate reference: it appears earlier in this file.")
    lookups.seen_references.add(key)
    return reference, {
        "theme": theme_id,
        "area": area_id,
        "team": team_id,
        "station": _text(row, "station")[:80],
        "officer_in_case": staff["officer_in_case"],
        "supervisor": staff["supervisor"],
        "occurred_on": occurred_on.isoformat(),
        "closed_on": closed_on.isoformat() if closed_on else None,
    }


def _known_references(force: Force, keys: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which (area, reference) pairs already exist, compared without regard to case."""
    by_reference: dict[str, set[int]] = {}
    for area_id, reference in keys:
        by_reference.setdefault(reference, set()).add(area_id)
    known: set[tuple[int, str]] = set()
    references = list(by_reference)
    for start in range(0, len(references), BATCH_SIZE):
        chunk = references[start : start + BATCH_SIZE]
        for area_id, reference in (
            Case.objects.annotate(upper_reference=Upper("reference"))
            .filter(area__force=force, upper_reference__in=chunk)
            .values_list("area_id", "reference")
        ):
            known.add((area_id, reference.upper()))
    return known


@dataclass(frozen=True)
class _Columns:
    """Where each column the import reads is, and how many columns the header row names."""

    positions: dict[str, int]
    width: int


def _printable(text: str) -> str:
    """`text` fit to show: control and direction characters replaced by U+FFFD."""
    return FORBIDDEN_CHARACTERS.sub("\ufffd", text)


def _columns(header: Sequence[Any]) -> _Columns:
    """The header row's columns; refuses the file when a needed one is missing or repeated."""
    found: dict[str, list[int]] = {}
    width = 0
    for index, cell in enumerate(header):
        name = _normalise_header(cell)
        if name:
            width = index + 1
        if name in REQUIRED_COLUMNS or name in OPTIONAL_COLUMNS:
            found.setdefault(name, []).append(index)
    for name, indexes in found.items():
        if len(indexes) > 1:
            # Otherwise one of the columns would silently win over the other.
            headed = " and ".join(
                f"{column_name(index)} headed {_printable(str(header[index]).strip())[:40]!r}"
                for index in indexes[:3]
            )
            raise ImportFileRefused(
                f"The column {name} appears {len(indexes)} times in the header row ({headed}), so "
                "it is not clear which to import. Keep one and upload the file again."
            )
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if missing:
        raise ImportFileRefused(
            "The file has no column for: " + ", ".join(missing) + ". The first row must name "
            "the columns: " + ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS) + "."
        )
    return _Columns(positions={name: indexes[0] for name, indexes in found.items()}, width=width)


def _row_values(values: Sequence[Any], columns: _Columns) -> dict[str, Any]:
    """The row's values by column, or RowRefused when the row holds what no case may: a NUL in
    any cell, a value beyond the named columns, or a control or direction-changing character in a
    column the import reads (other columns are not kept)."""
    for index, value in enumerate(values):
        if isinstance(value, str) and "\x00" in value:
            raise RowRefused(
                f"The row holds a NUL character in {column_name(index)}, a sign the file is "
                "damaged there. Mend the row and upload the file again."
            )
    for index in range(columns.width, len(values)):
        if is_filled(values[index]):
            raise RowRefused(
                f"The row has a value in {column_name(index)}, beyond the {columns.width} "
                "columns the header row names. Remove the value or name its column."
            )
    row = {
        column: values[index] if index < len(values) else None
        for column, index in columns.positions.items()
    }
    for column, value in row.items():
        if isinstance(value, str) and (found := FORBIDDEN_CHARACTERS.search(value)):
            kind = (
                "a character that changes the direction of text"
                if DIRECTION_CHARACTERS.match(found.group())
                else "a control character"
            )
            raise RowRefused(
                f"The {COLUMN_LABELS[column]} holds {kind} (U+{ord(found.group()):04X}), which no "
                "case record may hold. Remove it and upload the file again."
            )
    return row


def _reference_shown(values: Sequence[Any], columns: _Columns) -> str:
    index = columns.positions["reference"]
    value = values[index] if index < len(values) else None
    return _printable(_text({"reference": value}, "reference"))[:60]


def case_import_check(*, case_import_id: int) -> CaseImport:
    """Check every row of the file and record its outcome. Safe to run again: it starts over."""
    # Claimed in one UPDATE, so a second delivery of the task (or a retry) cannot run beside it.
    claimed = CaseImport.objects.filter(pk=case_import_id, state=CaseImportState.QUEUED).update(
        state=CaseImportState.CHECKING
    )
    case_import = CaseImport.objects.select_related("force", "uploaded_by").get(pk=case_import_id)
    if not claimed:
        logger.info("case import %s is %s: not checked again", case_import.pk, case_import.state)
        return case_import
    CaseImportRow.objects.filter(case_import=case_import).delete()
    try:
        with (
            case_import.file.open("rb") as stored,
            import_reader.BoundedRows(stored, case_import.file_format, import_limits()) as rows,
        ):
            CaseImport.objects.filter(pk=case_import.pk).update(total_rows=rows.estimated_rows)
            counts, total = _check_rows(case_import, rows)
    except ImportFileRefused as refusal:
        return _fail(case_import, " ".join(refusal.messages))
    except import_reader.FileRefused as refusal:
        return _fail(case_import, str(refusal))
    except FileNotFoundError:
        # The store lost the upload (a check that ran before and discarded it, a store emptied):
        # nothing can be checked, and the manager is told to upload the file again.
        logger.error("case import %s: the uploaded file is missing from the store", case_import.pk)
        return _fail(case_import, "The uploaded file is no longer in the store: upload it again.")
    except Exception:
        logger.exception("case import %s failed while checking rows", case_import.pk)
        _fail(case_import, "The file could not be checked; the error has been logged.")
        raise
    finally:
        _discard_file(case_import)
    CaseImport.objects.filter(pk=case_import.pk).update(
        state=CaseImportState.READY, total_rows=total, processed_rows=total, **counts
    )
    case_import.refresh_from_db()
    logger.info(
        "case import %s checked: %s accepted, %s rejected, %s known",
        case_import.pk,
        counts["accepted_rows"],
        counts["rejected_rows"],
        counts["known_rows"],
    )
    return case_import


def _check_rows(
    case_import: CaseImport, rows: import_reader.BoundedRows
) -> tuple[dict[str, int], int]:
    """Each row's outcome, stored in batches; the counts and the number of rows checked."""
    lookups = _Lookups.load(case_import.force, case_import.uploaded_by)
    today = timezone.localdate()
    counts = {"accepted_rows": 0, "rejected_rows": 0, "known_rows": 0}
    pending: list[CaseImportRow] = []

    def flush() -> None:
        accepted = [r for r in pending if r.outcome == RowOutcome.ACCEPTED]
        known = _known_references(
            case_import.force, ((r.values["area"], r.reference.upper()) for r in accepted)
        )
        for row in accepted:
            if (row.values["area"], row.reference.upper()) in known:
                row.outcome, row.reason, row.values = RowOutcome.KNOWN, "Already imported.", {}
        for row in pending:
            counts[f"{row.outcome}_rows"] += 1
        CaseImportRow.objects.bulk_create(pending, batch_size=BATCH_SIZE)
        pending.clear()

    numbered = iter(rows)
    header = next(numbered, None)
    columns = _columns(header[1] if header else ())
    checked = reported = 0
    for number, values in numbered:
        try:
            reference, checked_values = check_row(_row_values(values, columns), lookups, today)
            pending.append(
                CaseImportRow(
                    case_import=case_import,
                    row_number=number,
                    outcome=RowOutcome.ACCEPTED,
                    reference=reference,
                    values=checked_values,
                )
            )
        except RowRefused as refusal:
            pending.append(
                CaseImportRow(
                    case_import=case_import,
                    row_number=number,
                    outcome=RowOutcome.REJECTED,
                    reason=str(refusal)[:REASON_MAX_LENGTH],
                    reference=_reference_shown(values, columns),
                )
            )
        checked += 1
        if len(pending) >= BATCH_SIZE:
            flush()
            if checked - reported >= PROGRESS_EVERY:
                CaseImport.objects.filter(pk=case_import.pk).update(processed_rows=checked)
                reported = checked
    flush()
    return counts, checked


def _fail(case_import: CaseImport, reason: str) -> CaseImport:
    CaseImportRow.objects.filter(case_import=case_import).delete()
    CaseImport.objects.filter(pk=case_import.pk).update(
        state=CaseImportState.FAILED, failure_reason=reason, finished_at=timezone.now()
    )
    case_import.refresh_from_db()
    logger.warning("case import %s failed: %s", case_import.pk, reason)
    return case_import


def _discard_file(case_import: CaseImport) -> None:
    if case_import.file:
        case_import.file.delete(save=False)
        CaseImport.objects.filter(pk=case_import.pk).update(file="")


def case_import_confirm(*, case_import: CaseImport, by: User) -> CaseImport:
    """The manager has read the preview: queue the saving of the accepted rows."""
    retrying = case_import.state == CaseImportState.FAILED and case_import.confirmed_at
    if case_import.state != CaseImportState.READY and not retrying:
        raise ValidationError(
            f"This import is {case_import.get_state_display().lower()}; only an import ready "
            "to confirm can be saved."
        )
    if not case_import.accepted_rows:
        raise ValidationError("No row was accepted, so there is nothing to save.")
    updated = CaseImport.objects.filter(pk=case_import.pk, state=case_import.state).update(
        state=CaseImportState.SAVING,
        confirmed_by=by,
        confirmed_at=timezone.now(),
        failure_reason="",
    )
    if not updated:
        raise ValidationError("This import has already been confirmed.")
    case_import.refresh_from_db()
    return case_import


class QueueUnavailable(Exception):
    """The task queue could not be reached: the work is not started, and nothing is lost."""


CHECK_TASK = "rounds.check_case_import"
SAVE_TASK = "rounds.save_case_import"


def case_import_check_queue(*, case_import: CaseImport) -> None:
    """Start the check of an uploaded file. With the queue out of reach the upload is kept,
    waiting for its check, and QueueUnavailable says so: the manager queues it again later."""
    try:
        task_named(CHECK_TASK).delay(case_import.pk)
    except BrokerUnavailable as exc:
        logger.error("case import %s: the check could not be queued", case_import.pk)
        raise QueueUnavailable(
            "The file is kept, but its check could not be started because the background task "
            "queue is unavailable. Try again in a few minutes."
        ) from exc


def case_import_confirm_and_queue(*, case_import: CaseImport, by: User) -> CaseImport:
    """Confirm a checked import and queue the saving of its accepted rows. When the save cannot
    be queued the import is put back as it was, ready to confirm again, and QueueUnavailable
    says so: nothing is saved and nothing is lost."""
    before = confirmation_fields(case_import)
    case_import = case_import_confirm(case_import=case_import, by=by)
    try:
        task_named(SAVE_TASK).delay(case_import.pk)
    except BrokerUnavailable as exc:
        logger.error("case import %s: the save could not be queued", case_import.pk)
        case_import_unconfirm(case_import_id=case_import.pk, before=before)
        raise QueueUnavailable(
            "Saving could not be started because the background task queue is unavailable. "
            "Nothing was saved and the import is waiting for confirmation again: try again in a "
            "few minutes."
        ) from exc
    logger.info("case import %s confirmed by user %s", case_import.pk, by.pk)
    return case_import


def case_import_unconfirm(*, case_import_id: int, before: dict) -> None:
    """The save could not be queued: put the import back as it was, ready to confirm again."""
    CaseImport.objects.filter(pk=case_import_id, state=CaseImportState.SAVING).update(**before)


def confirmation_fields(case_import: CaseImport) -> dict:
    """What confirming changes, to put back with `case_import_unconfirm`."""
    return {
        "state": case_import.state,
        "confirmed_by": case_import.confirmed_by,
        "confirmed_at": case_import.confirmed_at,
        "failure_reason": case_import.failure_reason,
    }


def case_imports_for(user: User):
    """Imports the user may see: a force-wide audit manager's force's, and their own uploads."""
    force_ids = user_scope(user).force_wide.get(Role.AUDIT_MANAGER, frozenset())
    return CaseImport.objects.filter(Q(force_id__in=force_ids) | Q(uploaded_by=user))


def case_import_cancel(*, case_import: CaseImport) -> CaseImport:
    if case_import.state in (CaseImportState.SAVING, CaseImportState.IMPORTED):
        raise ValidationError("An import being saved or saved cannot be cancelled.")
    CaseImportRow.objects.filter(case_import=case_import).delete()
    CaseImport.objects.filter(pk=case_import.pk).update(
        state=CaseImportState.CANCELLED, finished_at=timezone.now()
    )
    case_import.refresh_from_db()
    return case_import


def case_import_save(*, case_import_id: int) -> CaseImport:
    """Create the accepted rows' cases, all or nothing. Safe to run again once it has finished."""
    case_import = CaseImport.objects.select_related("force").get(pk=case_import_id)
    if case_import.state != CaseImportState.SAVING:
        return case_import
    try:
        with transaction.atomic():
            saved, newly_known = _save_cases(case_import)
            CaseImport.objects.filter(pk=case_import.pk).update(
                state=CaseImportState.IMPORTED,
                saved_cases=saved,
                accepted_rows=saved,
                known_rows=case_import.known_rows + newly_known,
                finished_at=timezone.now(),
            )
    except Exception:
        logger.exception("case import %s failed while saving; nothing was saved", case_import.pk)
        CaseImport.objects.filter(pk=case_import.pk).update(
            state=CaseImportState.FAILED,
            failure_reason="Saving failed part-way, so no case from this file was saved. "
            "The error has been logged; try again or ask for support.",
            finished_at=timezone.now(),
        )
        raise
    case_import.refresh_from_db()
    logger.info("case import %s saved %s cases", case_import.pk, saved)
    return case_import


def _staff_ids(force: Force, rows: list[dict]) -> dict[str, int]:
    """Staff members by identifier, creating those not yet known (identifier and team only)."""
    wanted: dict[str, int] = {}
    for values in rows:
        for column in ("officer_in_case", "supervisor"):
            if identifier := values.get(column):
                wanted.setdefault(identifier.upper(), values["team"])
    known = {
        identifier.upper(): pk
        for pk, identifier in StaffMember.objects.filter(
            force=force, identifier__in=list(wanted)
        ).values_list("pk", "identifier")
    }
    missing = [
        StaffMember(force=force, identifier=identifier, team_id=team_id)
        for identifier, team_id in wanted.items()
        if identifier not in known
    ]
    StaffMember.objects.bulk_create(missing, batch_size=BATCH_SIZE, ignore_conflicts=True)
    if missing:
        known.update(
            (identifier.upper(), pk)
            for pk, identifier in StaffMember.objects.filter(
                force=force, identifier__in=[m.identifier for m in missing]
            ).values_list("pk", "identifier")
        )
    return known


def _save_cases(case_import: CaseImport) -> tuple[int, int]:
    # Tuples rather than model instances: 50,000 rows are read here.
    rows = list(
        CaseImportRow.objects.filter(
            case_import=case_import, outcome=RowOutcome.ACCEPTED
        ).values_list("pk", "reference", "values")
    )
    # Another import may have saved some of these references since the preview was made.
    known = _known_references(
        case_import.force, ((values["area"], reference.upper()) for _, reference, values in rows)
    )
    newly_known = [
        pk for pk, reference, values in rows if (values["area"], reference.upper()) in known
    ]
    if newly_known:
        CaseImportRow.objects.filter(pk__in=newly_known).update(
            outcome=RowOutcome.KNOWN, reason="Imported by another file after this one was checked."
        )
        rows = [r for r in rows if (r[2]["area"], r[1].upper()) not in known]
    staff = _staff_ids(case_import.force, [values for _, _, values in rows])
    if connection.vendor == "postgresql":
        return _insert_cases(case_import, staff), len(newly_known)
    cases = []
    for _, reference, values in rows:
        oic, supervisor = values.get("officer_in_case"), values.get("supervisor")
        cases.append(
            Case(
                area_id=values["area"],
                reference=reference,
                theme_id=values["theme"],
                team_id=values["team"],
                station=values["station"],
                officer_in_case_id=staff[oic.upper()] if oic else None,
                supervisor_id=staff[supervisor.upper()] if supervisor else None,
                occurred_on=datetime.date.fromisoformat(values["occurred_on"]),
                closed_on=datetime.date.fromisoformat(values["closed_on"])
                if values["closed_on"]
                else None,
            )
        )
    Case.objects.bulk_create(cases, batch_size=BATCH_SIZE)
    return len(cases), len(newly_known)


# The accepted rows become cases in one statement, in the database: no model per row in Python.
# Staff identifiers join through the mapping `_staff_ids` made, so each row keeps one staff member.
INSERT_CASES = """
INSERT INTO {case} (area_id, reference, theme_id, team_id, station, officer_in_case_id,
                    supervisor_id, occurred_on, closed_on, imported_at)
SELECT (r.values ->> 'area')::integer, r.reference, (r.values ->> 'theme')::integer,
       (r.values ->> 'team')::integer, r.values ->> 'station', oic.id, supervisor.id,
       (r.values ->> 'occurred_on')::date, (r.values ->> 'closed_on')::date, %(now)s
FROM {row} r
LEFT JOIN UNNEST(%(identifiers)s::text[], %(ids)s::integer[]) AS oic (identifier, id)
       ON oic.identifier = UPPER(r.values ->> 'officer_in_case')
LEFT JOIN UNNEST(%(identifiers)s::text[], %(ids)s::integer[]) AS supervisor (identifier, id)
       ON supervisor.identifier = UPPER(r.values ->> 'supervisor')
WHERE r.case_import_id = %(case_import)s AND r.outcome = %(accepted)s
"""


def _insert_cases(case_import: CaseImport, staff: dict[str, int]) -> int:
    sql = INSERT_CASES.format(
        case=connection.ops.quote_name(Case._meta.db_table),
        row=connection.ops.quote_name(CaseImportRow._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "now": timezone.now(),
                "identifiers": list(staff),
                "ids": list(staff.values()),
                "case_import": case_import.pk,
                "accepted": RowOutcome.ACCEPTED,
            },
        )
        return cursor.rowcount
