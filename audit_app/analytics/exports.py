"""CSV and XLSX exports of audits and their answers, one row per audit, one column per question.

Columns are named by question code (stable across question-set versions) so analysts can join
months. CSV is streamed row by row; XLSX is written by openpyxl in write-only mode to a temporary
file, so neither holds the whole export in memory. Any text cell that a spreadsheet would run as a
formula is escaped with a leading apostrophe.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet
from openpyxl import Workbook

from audit_app.audits import selectors
from audit_app.audits.models import Answer, Audit, Question
from audit_app.models import User

FIXED_COLUMNS = [
    "audit_id",
    "area",
    "month",
    "round_kind",
    "case_reference",
    "theme",
    "team",
    "team_type",
    "state",
    "auditor_grade",
    "moderated_grade",
    "final_grade",
    "submitted_at",
    "moderated_at",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 500


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would read as a formula, made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def question_codes(audits: QuerySet[Audit]) -> list[str]:
    """The codes of every question in the question sets these audits use, in question order."""
    rows = (
        Question.objects.filter(question_set__in=audits.values("question_set"))
        .order_by("number", "code")
        .values_list("code", flat=True)
    )
    return list(dict.fromkeys(rows))


def export_rows(
    audits: QuerySet[Audit], *, user: User, with_comments: bool = False
) -> Iterator[list[object]]:
    """The header, then one row per audit, reading the audits in chunks. `audits` come from
    `analytics.audits_for_analyst(user)`: an audit whose auditor's work is hidden from the user
    (`selectors.audit_visibility`) keeps its row, without grades or answers."""
    codes = question_codes(audits)
    header = list(FIXED_COLUMNS)
    for code in codes:
        header.append(code)
        if with_comments:
            header.append(f"{code}_comment")
    yield header
    answers = Prefetch(
        "answers",
        queryset=Answer.objects.select_related("question").only(
            "audit_id", "value", "comment", "question__code"
        ),
    )
    selected = (
        audits.select_related("round__area", "case__theme", "case__team")
        .prefetch_related(answers)
        .order_by("round__month", "round__area__code", "case__reference", "pk")
    )
    for audit in selected.iterator(chunk_size=CHUNK_SIZE):
        visibility = selectors.audit_visibility(user, audit)
        by_code = (
            {a.question.code: a for a in audit.answers.all()} if visibility.auditor_work else {}
        )
        selectors.hide_unseen_work(audit, visibility)
        row: list[object] = [
            audit.pk,
            audit.round.area.code,
            f"{audit.round.month:%Y-%m}",
            audit.round.kind,
            audit.case.reference,
            audit.case.theme.code,
            audit.case.team.name,
            audit.case.team.team_type,
            audit.state,
            audit.grade,
            audit.moderated_grade,
            audit.moderated_grade or audit.grade,
            audit.submitted_at.isoformat() if audit.submitted_at else "",
            audit.moderated_at.isoformat() if audit.moderated_at else "",
        ]
        for code in codes:
            answer = by_code.get(code)
            row.append(answer.value if answer else "")
            if with_comments:
                row.append(answer.comment if answer else "")
        yield [safe_cell(value) for value in row]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[object]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so Excel opens the UTF-8 file as UTF-8
    for row in rows:
        yield writer.writerow(row)


def xlsx_file(rows: Iterable[list[object]]) -> tempfile.SpooledTemporaryFile:
    """The workbook in a temporary file (in memory up to 10 MB), rewound for reading."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Audits")
    for row in rows:
        sheet.append(row)
    output = tempfile.SpooledTemporaryFile(max_size=10_000_000)  # noqa: SIM115 - returned open
    workbook.save(output)
    output.seek(0)
    return output
