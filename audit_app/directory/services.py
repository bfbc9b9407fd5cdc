"""Writing the staff directory: importing the HR system's export, correcting one person, and
recording an email address a moderator supplies.

An import is checked in full on upload (a force's directory is at most some 20,000 rows: a few
seconds) and every row stored with its outcome: a new person, an update (each field's old and new
value), unchanged, or rejected with its reasons. Nothing changes in the directory until the audit
manager confirms; then every update and every new person is written in one transaction, once.
People in the directory but not in the file are kept as they are: an import never deletes anyone
or marks anyone as left. A blank cell keeps what the directory holds (an HR export often lacks an
email address a moderator has since added); a person who had been marked as left and is in the
file again is made active, and the preview says so.

Every change is recorded in the person's history (simple_history) with the reason
"directory import N", or "corrected by user N" for a correction made on the directory's page.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

from audit_app import import_reader
from audit_app.directory.models import (
    StaffImport,
    StaffImportRow,
    StaffImportState,
    StaffRowOutcome,
)
from audit_app.directory.selectors import management_chain_ids
from audit_app.models import Force, Role, StaffMember, Team, User
from audit_app.permissions import user_scope
from audit_app.queueing import enqueue_on_commit

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("identifier", "name")
OPTIONAL_COLUMNS = ("rank", "email", "team", "area", "line_manager")
COLUMN_LABELS = {
    "identifier": "staff number",
    "name": "name",
    "rank": "rank",
    "email": "email",
    "team": "team",
    "area": "area",
    "line_manager": "line manager's number",
}
# Header names as the HR system (or a person) may write them, lower case, words joined by "_".
COLUMN_ALIASES = {
    **{
        name: "identifier"
        for name in (
            "identifier",
            "staff_number",
            "staff_no",
            "staff_id",
            "staff_identifier",
            "collar_number",
            "collar_no",
            "collar",
            "collar_or_staff_number",
            "staff_or_collar_number",
            "warrant_number",
            "number",
            "payroll_number",
            "employee_number",
        )
    },
    **{
        name: "name"
        for name in ("name", "full_name", "staff_name", "officer_name", "officer", "display_name")
    },
    **{name: "rank" for name in ("rank", "grade", "rank_or_grade", "rank_grade", "job_title")},
    **{
        name: "email"
        for name in ("email", "e_mail", "email_address", "e_mail_address", "work_email", "mail")
    },
    **{name: "team" for name in ("team", "team_code", "team_name", "unit", "department")},
    **{name: "area" for name in ("area", "area_code", "area_name", "bcu", "division")},
    **{
        name: "line_manager"
        for name in (
            "line_manager",
            "line_managers_number",
            "line_manager_number",
            "line_manager_no",
            "line_managers_staff_number",
            "line_manager_staff_number",
            "line_managers_collar_number",
            "line_manager_collar_number",
            "line_manager_id",
            "line_manager_identifier",
            "manager_number",
            "manager",
            "supervisor_number",
            "reports_to",
        )
    },
}
IDENTIFIER_PATTERN = re.compile(r"^[A-Za-z0-9]{1,20}$")
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
NAME_MAX, RANK_MAX, EMAIL_MAX = 120, 60, 254
MAX_ROWS = 50_000
BATCH_SIZE = 2000
FIELDS = ("name", "rank", "email", "team", "line_manager", "is_active")
FIELD_LABELS = {
    "name": "Name",
    "rank": "Rank",
    "email": "Email",
    "team": "Team",
    "line_manager": "Line manager",
    "is_active": "Active",
}
_email_validator = EmailValidator()


class StaffFileRefused(ValidationError):
    """The file as a whole cannot be imported: its type, its size, a limit, or its columns."""


def import_limits() -> import_reader.ReadLimits:
    return import_reader.ReadLimits(max_rows=MAX_ROWS, time_budget_seconds=60.0)


def _refuse_unless_force_wide_manager(force: Force, user: User) -> None:
    if force.pk not in user_scope(user).force_wide.get(Role.AUDIT_MANAGER, frozenset()):
        raise PermissionDenied("Only the force-wide audit manager imports the staff directory.")


def check_upload(upload: UploadedFile) -> str:
    """The file's format, or a refusal: only CSV and XLSX files within the size limit."""
    limit = settings.CASE_IMPORT_MAX_BYTES
    if upload.size > limit:
        raise StaffFileRefused(
            f"The file is {upload.size / 1_000_000:.1f} MB; the limit is "
            f"{limit / 1_000_000:.0f} MB."
        )
    if not upload.size:
        raise StaffFileRefused("The file is empty.")
    name = (upload.name or "").lower()
    head = upload.read(8)
    upload.seek(0)
    if name.endswith(".xlsx"):
        if not head.startswith(b"PK\x03\x04"):
            raise StaffFileRefused("The file is named .xlsx but is not an Excel workbook.")
        return import_reader.XLSX_FORMAT
    if name.endswith(".csv"):
        boms = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        if head.startswith(b"PK\x03\x04") or (b"\x00" in head and not head.startswith(boms)):
            raise StaffFileRefused(
                "The file is named .csv but is not a text file. Save it as 'CSV UTF-8'."
            )
        return import_reader.CSV_FORMAT
    raise StaffFileRefused("The file must be a CSV or an Excel workbook (.xlsx).")


def normalise_header(header: object) -> str:
    """'Line Manager's Number' -> 'line_manager'; unknown headers come back normalised only."""
    text = str(header or "").strip().lower().replace("'", "").replace("\u2019", "")
    name = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return COLUMN_ALIASES.get(name, name)


def _columns(header: Sequence[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = normalise_header(cell)
        if name in REQUIRED_COLUMNS or name in OPTIONAL_COLUMNS:
            if name in found:
                raise StaffFileRefused(
                    f"The file has two columns for the {COLUMN_LABELS[name]} "
                    f"({import_reader.column_name(found[name])} and "
                    f"{import_reader.column_name(index)}). Keep one and upload the file again."
                )
            found[name] = index
    missing = [COLUMN_LABELS[name] for name in REQUIRED_COLUMNS if name not in found]
    if missing:
        raise StaffFileRefused(
            "The file has no column for: "
            + ", ".join(missing)
            + ". The first row must name the columns: staff number, name, and optionally rank, "
            "email, team, area and line manager's number."
        )
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass
class _Row:
    number: int
    identifier: str
    name: str
    rank: str
    email: str
    team: str
    area: str
    line_manager: str
    reasons: list[str] = field(default_factory=list)
    team_id: int | None = None

    @property
    def key(self) -> str:
        return self.identifier.upper()


def _parse(number: int, values: Sequence[Any], columns: dict[str, int]) -> _Row:
    cells = {
        name: _text(values[index]) if index < len(values) else "" for name, index in columns.items()
    }
    row = _Row(number=number, **{name: cells.get(name, "") for name in (*COLUMN_LABELS,)})
    for name, value in cells.items():
        if FORBIDDEN_CHARACTERS.search(value):
            row.reasons.append(f"The {COLUMN_LABELS[name]} holds a control character.")
            setattr(row, name, FORBIDDEN_CHARACTERS.sub("\ufffd", value))
    if not row.identifier:
        row.reasons.append("Missing staff number.")
    elif not IDENTIFIER_PATTERN.match(row.identifier):
        row.reasons.append("The staff number must be up to 20 letters and digits.")
    if not row.name:
        row.reasons.append("Missing name.")
    elif len(row.name) > NAME_MAX:
        row.reasons.append(f"The name is longer than {NAME_MAX} characters.")
    if len(row.rank) > RANK_MAX:
        row.reasons.append(f"The rank is longer than {RANK_MAX} characters.")
    if row.email:
        try:
            if len(row.email) > EMAIL_MAX:
                raise ValidationError("too long")
            _email_validator(row.email)
        except ValidationError:
            row.reasons.append(f"Malformed email address {row.email[:80]!r}.")
    if row.line_manager and not IDENTIFIER_PATTERN.match(row.line_manager):
        row.reasons.append("The line manager's number must be up to 20 letters and digits.")
    return row


@dataclass(frozen=True)
class _Person:
    """A person as the directory holds them, or as a row of the file would leave them."""

    pk: int | None
    identifier: str
    name: str
    rank: str
    email: str
    team_id: int | None
    manager: str  # the line manager's identifier, upper case; "" for none
    is_active: bool


class _Teams:
    """The force's teams by code or name (case-insensitive), within an area when one is named."""

    def __init__(self, force: Force) -> None:
        self.labels: dict[int, str] = {}
        self.by_text: dict[str, set[int]] = {}
        self.by_area_text: dict[tuple[str, str], int] = {}
        for pk, code, name, area_code, area_name in Team.objects.filter(
            area__force=force
        ).values_list("pk", "code", "name", "area__code", "area__name"):
            self.labels[pk] = f"{name} ({area_name})"
            for text in (code.lower(), name.lower()):
                self.by_text.setdefault(text, set()).add(pk)
                for area in (area_code.lower(), area_name.lower()):
                    self.by_area_text[(area, text)] = pk

    def find(self, team: str, area: str) -> tuple[int | None, str]:
        """The team's id, or None and the reason."""
        text, area = team.strip().lower(), area.strip().lower()
        if not area:
            for separator in ("/", ":"):
                if separator in text:
                    area, text = (part.strip() for part in text.split(separator, 1))
                    break
        if area:
            found = self.by_area_text.get((area, text))
            if found is None:
                return None, f"Unknown team {team[:60]!r} in area {area[:40]!r}."
            return found, ""
        matches = self.by_text.get(text, set())
        if not matches:
            return None, f"Unknown team {team[:60]!r}: give the force's team code or name."
        if len(matches) > 1:
            return None, (
                f"The team {team[:60]!r} is in more than one area: add an area column, or write "
                "the team as 'area/team'."
            )
        return next(iter(matches)), ""


def _directory(force: Force) -> dict[str, _Person]:
    rows = list(
        StaffMember.objects.filter(force=force).values_list(
            "pk", "identifier", "name", "rank", "email", "team_id", "line_manager_id", "is_active"
        )
    )
    identifiers = {pk: identifier.upper() for pk, identifier, *_ in rows}
    return {
        identifier.upper(): _Person(
            pk, identifier, name, rank, email, team_id, identifiers.get(manager_id, ""), active
        )
        for pk, identifier, name, rank, email, team_id, manager_id, active in rows
    }


def _cycles(managers: dict[str, str]) -> dict[str, list[str]]:
    """Everyone on a circle of line management, with the circle, in a graph where each person
    has at most one manager. Linear in the number of people."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    on_cycle: dict[str, list[str]] = {}
    for start in managers:
        if start in state:
            continue
        path: list[str] = []
        node: str | None = start
        while node and node not in state:
            state[node] = 1
            path.append(node)
            node = managers.get(node) or None
        if node and state.get(node) == 1:
            cycle = path[path.index(node) :]
            for member in cycle:
                on_cycle[member] = cycle
        for member in path:
            state[member] = 2
    return on_cycle


def _check(force: Force, rows: list[_Row]) -> None:
    """Add every row's reasons for rejection, the file and the directory taken together."""
    teams = _Teams(force)
    directory = _directory(force)
    by_key: dict[str, list[_Row]] = {}
    for row in rows:
        if row.identifier:
            by_key.setdefault(row.key, []).append(row)
        if row.team:
            row.team_id, reason = teams.find(row.team, row.area)
            if reason:
                row.reasons.append(reason)
    for key, same in by_key.items():
        if len(same) > 1:
            numbers = ", ".join(str(r.number) for r in same)
            for row in same:
                row.reasons.append(f"Duplicate staff number {key}: it is on rows {numbers}.")
    for row in rows:
        if row.line_manager and row.line_manager.upper() == row.key:
            row.reasons.append("The person is named as their own line manager.")
    # Until nothing changes: a row rejected takes away a manager other rows may rely on.
    while True:
        accepted = {r.key: r for r in rows if not r.reasons}
        rejected_now = False
        for row in accepted.values():
            manager = row.line_manager.upper()
            if manager and manager not in accepted and manager not in directory:
                if manager in by_key:
                    row.reasons.append(
                        f"The line manager {row.line_manager} is only on a rejected row of this "
                        "file."
                    )
                else:
                    row.reasons.append(
                        f"The line manager {row.line_manager} is neither in this file nor in the "
                        "directory."
                    )
                rejected_now = True
        if rejected_now:
            continue
        managers = {key: person.manager for key, person in directory.items()}
        for key, row in accepted.items():
            if row.line_manager:
                managers[key] = row.line_manager.upper()
            elif key not in directory:
                managers[key] = ""
        on_cycle = _cycles(managers)
        for key, cycle in on_cycle.items():
            if key in accepted:
                names = " -> ".join([*cycle, cycle[0]])
                accepted[key].reasons.append(
                    f"Line management would go round in a circle ({names}), this file and the "
                    "directory taken together."
                )
                rejected_now = True
        if not rejected_now:
            return


def _planned(row: _Row, existing: _Person | None) -> tuple[str, dict, dict]:
    """The row's outcome, the values to apply, and for an update each change (old, new)."""
    values = {
        "identifier": row.identifier,
        "name": row.name,
        "rank": row.rank or (existing.rank if existing else ""),
        "email": row.email or (existing.email if existing else ""),
        "team": row.team_id if row.team else (existing.team_id if existing else None),
        "line_manager": row.line_manager.upper()
        if row.line_manager
        else (existing.manager if existing else ""),
        "is_active": True,
    }
    if existing is None:
        return StaffRowOutcome.CREATE, values, {}
    before = {
        "name": existing.name,
        "rank": existing.rank,
        "email": existing.email,
        "team": existing.team_id,
        "line_manager": existing.manager,
        "is_active": existing.is_active,
    }
    changes = {
        name: [before[name], values[name]] for name in FIELDS if before[name] != values[name]
    }
    return (StaffRowOutcome.UPDATE if changes else StaffRowOutcome.UNCHANGED), values, changes


def staff_import_check(*, force: Force, by: User, upload: UploadedFile) -> StaffImport:
    """Read and check an uploaded staff export and store every row's outcome; nothing in the
    directory changes. StaffFileRefused when the file as a whole cannot be imported."""
    _refuse_unless_force_wide_manager(force, by)
    file_format = check_upload(upload)
    try:
        with import_reader.BoundedRows(upload, file_format, import_limits()) as read:
            numbered = iter(read)
            header = next(numbered, None)
            columns = _columns(header[1] if header else ())
            # Columns the import does not read are ignored: the HR export may carry others.
            rows = [_parse(number, values, columns) for number, values in numbered]
    except import_reader.FileRefused as refusal:
        raise StaffFileRefused(str(refusal)) from refusal
    _check(force, rows)
    directory = _directory(force)
    counts = dict.fromkeys(StaffRowOutcome.values, 0)
    stored = []
    for row in rows:
        existing = directory.get(row.key) if row.identifier else None
        if row.reasons:
            outcome, values, changes = StaffRowOutcome.REJECTED, {}, {}
        else:
            outcome, values, changes = _planned(row, existing)
        counts[outcome] += 1
        stored.append(
            StaffImportRow(
                row_number=row.number,
                outcome=outcome,
                reasons=row.reasons,
                identifier=row.identifier[:60],
                name=row.name[:NAME_MAX],
                values=values,
                changes=changes,
                staff_member_id=existing.pk if existing else None,
            )
        )
    with transaction.atomic():
        staff_import = StaffImport.objects.create(
            force=force,
            uploaded_by=by,
            file_name=(upload.name or "")[:255],
            total_rows=len(rows),
            create_rows=counts[StaffRowOutcome.CREATE],
            update_rows=counts[StaffRowOutcome.UPDATE],
            unchanged_rows=counts[StaffRowOutcome.UNCHANGED],
            rejected_rows=counts[StaffRowOutcome.REJECTED],
        )
        for row in stored:
            row.staff_import = staff_import
        StaffImportRow.objects.bulk_create(stored, batch_size=BATCH_SIZE)
    logger.info(
        "staff import %s checked: %s rows, %s new, %s updates, %s rejected",
        staff_import.pk,
        len(rows),
        counts[StaffRowOutcome.CREATE],
        counts[StaffRowOutcome.UPDATE],
        counts[StaffRowOutcome.REJECTED],
    )
    return staff_import


def staff_import_cancel(*, staff_import: StaffImport, by: User) -> StaffImport:
    _refuse_unless_force_wide_manager(staff_import.force, by)
    updated = StaffImport.objects.filter(
        pk=staff_import.pk, state__in=(StaffImportState.READY, StaffImportState.FAILED)
    ).update(state=StaffImportState.CANCELLED)
    if not updated:
        raise ValidationError("Only an import waiting for confirmation can be cancelled.")
    staff_import.refresh_from_db()
    return staff_import


class QueueUnavailable(Exception):
    """The task queue could not be reached: nothing is applied, and nothing is lost."""


APPLY_TASK = "directory.apply_staff_import"
NOT_CONFIRMABLE = {
    StaffImportState.APPLYING: "This import is already being applied.",
    StaffImportState.APPLIED: "This import has already been applied.",
    StaffImportState.CANCELLED: "This import has been cancelled.",
}
APPLY_FAILED = (
    "Applying failed part-way, so nothing from this file was changed. The error has been "
    "logged; confirm again, or ask for support."
)


def staff_import_confirm(*, staff_import: StaffImport, by: User) -> StaffImport:
    """The audit manager has read the preview: mark the import as applying, for the task
    `directory.apply_staff_import` to apply. ValidationError when it is not waiting for
    confirmation (or failed), or when no row adds or changes anyone."""
    _refuse_unless_force_wide_manager(staff_import.force, by)
    if not (staff_import.create_rows or staff_import.update_rows):
        raise ValidationError("No row adds or changes anyone, so there is nothing to apply.")
    claimed = StaffImport.objects.filter(
        pk=staff_import.pk, state__in=(StaffImportState.READY, StaffImportState.FAILED)
    ).update(state=StaffImportState.APPLYING, applied_by=by, applied_at=None, failure_reason="")
    staff_import.refresh_from_db()
    if not claimed:
        raise ValidationError(
            NOT_CONFIRMABLE.get(staff_import.state, "This import cannot be confirmed.")
        )
    return staff_import


def staff_import_confirm_and_queue(*, staff_import: StaffImport, by: User) -> StaffImport:
    """Confirm the import and queue its apply, once the confirmation is committed, on the
    imports queue. Run in-process (the embedded default), the apply is done when this returns.
    When the queue cannot be reached the import is put back as it was, waiting for
    confirmation, and QueueUnavailable says so: nothing is applied and nothing is lost."""
    before = {
        "state": staff_import.state,
        "applied_by": staff_import.applied_by,
        "failure_reason": staff_import.failure_reason,
    }
    try:
        with transaction.atomic():
            staff_import = staff_import_confirm(staff_import=staff_import, by=by)
            enqueue_on_commit(APPLY_TASK, staff_import.pk)
    except BrokerUnavailable as exc:
        logger.error("staff import %s: the apply could not be queued", staff_import.pk)
        StaffImport.objects.filter(pk=staff_import.pk, state=StaffImportState.APPLYING).update(
            **before
        )
        raise QueueUnavailable(
            "Applying could not be started because the background task queue is unavailable. "
            "Nothing was changed and the import is waiting for confirmation again: try again in "
            "a few minutes."
        ) from exc
    logger.info("staff import %s confirmed by user %s", staff_import.pk, by.pk)
    staff_import.refresh_from_db()
    return staff_import


def staff_import_apply(*, staff_import_id: int) -> StaffImport:
    """Apply a confirmed import (the task's work): create the new people, update the others,
    all or nothing, and once. The import is claimed by a conditional update (applying ->
    applied) inside the transaction that writes the people, so a task run twice, or after its
    worker died part-way, applies everything exactly once. On a failure nothing is changed and
    the import is marked failed, with the reason, to be confirmed again."""
    try:
        with transaction.atomic():
            claimed = StaffImport.objects.filter(
                pk=staff_import_id, state=StaffImportState.APPLYING
            ).update(state=StaffImportState.APPLIED, applied_at=timezone.now())
            staff_import = StaffImport.objects.select_related("force", "applied_by").get(
                pk=staff_import_id
            )
            if not claimed:
                logger.info(
                    "staff import %s is %s: not applied again", staff_import_id, staff_import.state
                )
                return staff_import
            created, updated = _apply_rows(staff_import)
    except ValidationError as error:
        _apply_failed(staff_import_id, " ".join(error.messages))
    except Exception:
        logger.exception("staff import %s failed while applying; nothing changed", staff_import_id)
        _apply_failed(staff_import_id, APPLY_FAILED)
        raise
    else:
        logger.info(
            "staff import %s applied (confirmed by user %s): %s created, %s updated",
            staff_import_id,
            staff_import.applied_by_id,
            created,
            updated,
        )
    return StaffImport.objects.get(pk=staff_import_id)


def _apply_failed(staff_import_id: int, reason: str) -> None:
    logger.warning("staff import %s not applied: %s", staff_import_id, reason)
    StaffImport.objects.filter(pk=staff_import_id, state=StaffImportState.APPLYING).update(
        state=StaffImportState.FAILED, failure_reason=reason
    )


# The fields of a person an import writes (the history copies every field).
_WRITTEN = ("name", "rank", "email", "team", "line_manager", "is_active")
# The fields an update row may set, as the check names them (its `changes`), and their columns.
_ATTRIBUTES = {
    "name": "name",
    "rank": "rank",
    "email": "email",
    "team": "team_id",
    "line_manager": "line_manager_id",
    "is_active": "is_active",
}


def _apply_rows(staff_import: StaffImport) -> tuple[int, int]:
    """Write the import's rows; (people created, people updated). Reads the force's directory
    once (locked), works out every person's new record in memory, refuses a line-management
    circle or a vanished manager or team before writing anything, then writes: the new people
    in bulk, a layer of management at a time so each is created with their manager; the changed
    people with one UPDATE per batch; each with one history record. A row whose values the
    directory already holds is skipped."""
    force, by = staff_import.force, staff_import.applied_by
    reason = staff_import.change_reason
    rows = list(
        StaffImportRow.objects.filter(
            staff_import=staff_import,
            outcome__in=(StaffRowOutcome.CREATE, StaffRowOutcome.UPDATE),
        )
        .order_by("row_number")
        .values_list("outcome", "values", "changes")
    )
    people = {
        person.identifier.upper(): person
        for person in StaffMember.objects.filter(force=force).select_for_update().order_by("pk")
    }
    team_ids = set(Team.objects.filter(area__force=force).values_list("pk", flat=True))
    # key -> the person's new record (a StaffMember, unsaved for a new person) and manager key.
    new: dict[str, StaffMember] = {}
    managers: dict[str, str] = {}  # every person's manager key after the import ("" for none)
    key_of = {person.pk: key for key, person in people.items()}
    for key, person in people.items():
        managers[key] = key_of.get(person.line_manager_id, "")
    changed: dict[str, dict[str, Any]] = {}  # key -> attribute -> new value
    for outcome, values, changes in rows:
        key = values["identifier"].upper()
        existing = people.get(key)
        if existing is None:
            new[key] = StaffMember(
                force=force,
                identifier=values["identifier"],
                name=values["name"],
                rank=values["rank"],
                email=values["email"],
                team_id=values["team"],
                is_active=True,
            )
            managers[key] = values["line_manager"]
            continue
        if outcome == StaffRowOutcome.UPDATE:
            # What the preview showed as changing; a field it showed unchanged, or blank in the
            # file, keeps what the directory holds now (it may have been corrected since).
            wanted = {name: values[name] for name in changes}
        else:
            # Planned as new but added since the check (a case import adds people it names):
            # the file's filled cells.
            wanted = {name: value for name, value in values.items() if value not in ("", None)}
            wanted.pop("identifier", None)
        attributes: dict[str, Any] = {}
        for name, value in wanted.items():
            if name == "line_manager":
                if managers[key] != value:
                    managers[key] = value
                    attributes["line_manager_id"] = value  # a key: made an id below
            elif name in _ATTRIBUTES and getattr(existing, _ATTRIBUTES[name]) != value:
                attributes[_ATTRIBUTES[name]] = value
        if attributes:
            changed[key] = attributes
    _refuse_what_changed_since(people, new, managers, changed, team_ids)
    ids = _create_people(new, people, managers, by, reason)
    updated = []
    for key, attributes in changed.items():
        person = people[key]
        for column, value in attributes.items():
            if column == "line_manager_id":
                value = ids[value] if value else None
            setattr(person, column, value)
        updated.append(person)
    _update_people(updated, by, reason)
    return len(new), len(updated)


def _refuse_what_changed_since(
    people: dict[str, StaffMember],
    new: dict[str, StaffMember],
    managers: dict[str, str],
    changed: dict[str, dict[str, Any]],
    team_ids: set[int],
) -> None:
    """ValidationError, before anything is written, for what the directory has changed since
    the check into: a line manager or team gone, or line management that would go round in a
    circle."""
    for key, manager in managers.items():
        if manager and manager not in people and manager not in new:
            raise ValidationError(
                f"The line manager {manager} of {key} is no longer in the directory. Nothing was "
                "changed: upload the file again."
            )
    teams = [p.team_id for p in new.values()] + [
        a["team_id"] for a in changed.values() if "team_id" in a
    ]
    if any(team is not None and team not in team_ids for team in teams):
        raise ValidationError(
            "A team this import names is no longer one of the force's. Nothing was changed: "
            "upload the file again."
        )
    # A circle the directory already held (older data) is not this import's to refuse.
    touched = new.keys() | {key for key, a in changed.items() if "line_manager_id" in a}
    if touched & _cycles(managers).keys():
        raise ValidationError(
            "Applying this import would now make line management go round in a circle (the "
            "directory changed after the check). Nothing was changed: upload the file again."
        )


def _create_people(
    new: dict[str, StaffMember],
    people: dict[str, StaffMember],
    managers: dict[str, str],
    by: User | None,
    reason: str,
) -> dict[str, int]:
    """Create the new people with their history ("+"), a layer of line management at a time:
    first those whose manager is nobody or already in the directory, then those they manage,
    and so on, so that each is created with their manager's id (no second write, no second
    history record). Every person's id by key, the new people's included."""
    ids = {key: person.pk for key, person in people.items()}
    waiting = dict(new)
    while waiting:
        layer = {
            key: person
            for key, person in waiting.items()
            if not managers[key] or managers[key] in ids
        }
        if not layer:  # only a circle is left, which _refuse_what_changed_since refused
            raise ValidationError("Line management among the new people goes round in a circle.")
        for key, person in layer.items():
            person.line_manager_id = ids[managers[key]] if managers[key] else None
            del waiting[key]
        made = bulk_create_with_history(
            list(layer.values()),
            StaffMember,
            batch_size=BATCH_SIZE,
            default_user=by,
            default_change_reason=reason,
        )
        if made and made[0].pk is None:  # a database that does not return the new ids
            found = dict(
                StaffMember.objects.filter(
                    force_id=made[0].force_id, identifier__in=[p.identifier for p in made]
                ).values_list("identifier", "pk")
            )
            for person in made:
                person.pk = found[person.identifier]
        for person in made:
            ids[person.identifier.upper()] = person.pk
    return ids


# One statement per batch sets every written column of the changed people from a list of values
# (UPDATE ... FROM, in PostgreSQL and SQLite 3.33 or later): Django's bulk_update builds a CASE
# expression per field and row, which is most of the time of a large apply.
UPDATE_FROM_VALUES = """
WITH v (id, {columns}) AS (VALUES {rows})
UPDATE {table} SET {assignments} FROM v WHERE {table}.{pk} = v.id
"""


def _update_people(updated: list[StaffMember], by: User | None, reason: str) -> None:
    """Write the changed people's records and one history record ("~") each."""
    if not updated:
        return
    history = get_history_manager_for_model(StaffMember)
    if not _can_update_from_values():
        StaffMember.objects.bulk_update(updated, _WRITTEN, batch_size=BATCH_SIZE)
    else:
        _update_from_values(updated)
    history.bulk_history_create(
        updated,
        batch_size=BATCH_SIZE,
        update=True,
        default_user=by,
        default_change_reason=reason,
    )


def _update_from_values(people: list[StaffMember]) -> None:
    quote = connection.ops.quote_name
    meta = StaffMember._meta
    fields = [meta.get_field(name) for name in _WRITTEN]
    table = quote(meta.db_table)
    statement = UPDATE_FROM_VALUES.format(
        columns=", ".join(quote(f.column) for f in fields),
        table=table,
        # Cast: a column of only NULLs in a VALUES list is text to PostgreSQL.
        assignments=", ".join(
            f"{quote(f.column)} = CAST(v.{quote(f.column)} AS {f.db_type(connection)})"
            for f in fields
        ),
        pk=quote(meta.pk.column),
        rows="{rows}",
    )
    per_row = len(fields) + 1
    batch = min(BATCH_SIZE, (connection.features.max_query_params or 30_000) // per_row)
    placeholder = "(" + ", ".join(["%s"] * per_row) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(people), batch):
            chunk = people[start : start + batch]
            cursor.execute(
                statement.format(rows=", ".join([placeholder] * len(chunk))),
                [
                    value
                    for person in chunk
                    for value in (person.pk, *(getattr(person, f.attname) for f in fields))
                ],
            )


def _can_update_from_values() -> bool:
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and connection.Database.sqlite_version_info >= (3, 33)


def _manager_for(force: Force, identifier: str, person: StaffMember) -> StaffMember | None:
    if not identifier:
        return None
    manager = StaffMember.objects.filter(force=force, identifier__iexact=identifier).first()
    if manager is None:
        raise ValidationError({"line_manager": "There is nobody with that staff number."})
    if manager.pk == person.pk:
        raise ValidationError({"line_manager": "A person cannot be their own line manager."})
    if person.pk in management_chain_ids([manager.pk]).get(manager.pk, set()):
        raise ValidationError(
            {"line_manager": "That person is below this one in line management: a circle."}
        )
    return manager


@transaction.atomic
def staff_member_update(
    *,
    staff_member: StaffMember,
    by: User,
    name: str,
    rank: str,
    email: str,
    team: Team | None,
    line_manager_identifier: str,
    is_active: bool,
) -> StaffMember:
    """Correct one person's record. ValidationError (by field) for a manager who does not exist,
    or whose chain leads back to this person; a team of another force."""
    if team is not None and team.area.force_id != staff_member.force_id:
        raise ValidationError({"team": "Choose one of the force's teams."})
    if email:
        _email_validator(email)
    manager = _manager_for(staff_member.force, line_manager_identifier.strip(), staff_member)
    staff_member.name, staff_member.rank, staff_member.email = name, rank, email
    staff_member.team, staff_member.line_manager = team, manager
    staff_member.is_active = is_active
    staff_member._change_reason = f"corrected by user {by.pk}"
    staff_member.save()
    logger.info("staff member %s corrected by user %s", staff_member.pk, by.pk)
    return staff_member


def staff_email_record(*, staff_member: StaffMember, email: str, by: User) -> StaffMember:
    """Record a person's work email address (a moderator adding one that was missing).
    ValidationError with a plain message when the address is not valid."""
    email = (email or "").strip()
    try:
        if not email or len(email) > EMAIL_MAX:
            raise ValidationError("bad")
        _email_validator(email)
    except ValidationError as error:
        raise ValidationError(
            "Enter an email address in the correct format, like name@example.police.uk."
        ) from error
    staff_member.email = email
    staff_member._change_reason = f"email recorded by user {by.pk}"
    staff_member.save(update_fields=["email"])
    logger.info("staff member %s: email recorded by user %s", staff_member.pk, by.pk)
    return staff_member
