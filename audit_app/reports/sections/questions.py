"""Question-level findings for the PVP report: for each question (grouped by its stable code across
question-set versions), the share of failing answers this month and over twelve months, by team
type and, in the force report, by area; the questions that fail most come first.

`question_findings` compiles plain counts (two queries whatever the data); `questions_display`
turns them into the shares the template prints, through the report's own `percent`."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.db.models import Count, Q

from audit_app.audits.grading import FAILED_ANSWERS, failed_answer_labels
from audit_app.audits.models import Answer, AnswerValue, Moderation, Question
from audit_app.models import TeamType
from audit_app.months import add_months

WINDOW_MONTHS = 12  # the month reported and the eleven before it

Share = Callable[[int, int], str]


def failed_values() -> list[list[str]]:
    """The failing answers, as [value, label] pairs, in grading's order."""
    return [[str(value), AnswerValue(value).label] for value in FAILED_ANSWERS]


def counted_answers(final: Q, *, first: datetime.date, last: datetime.date):
    """Answers of the audits the report counts (`final`: report_content's rule for moderations)
    in the months `first` to `last`; "not applicable" never enters a denominator."""
    audits = Moderation.objects.filter(
        final, audit__round__month__gte=first, audit__round__month__lte=last
    ).values("audit_id")
    return Answer.objects.filter(audit_id__in=audits).exclude(value=AnswerValue.NOT_APPLICABLE)


def question_labels(codes: Iterable[str]) -> dict[str, dict]:
    """Each code's wording, number and criticality as in the latest question set that has it."""
    labels: dict[str, dict] = {}
    for row in (
        Question.objects.filter(code__in=list(codes))
        .values("code", "text", "number", "is_critical")
        .order_by("question_set__version")
    ):
        labels[row["code"]] = row
    return labels


def _cell() -> dict:
    return {"answered": 0, "failed": [0] * len(FAILED_ANSWERS)}


def _add(cell: dict, value: str, n: int) -> None:
    cell["answered"] += n
    if value in FAILED_ANSWERS:
        cell["failed"][FAILED_ANSWERS.index(value)] += n


def question_findings(*, final: Q, force_wide: bool, month: datetime.date) -> dict:
    """Counts of answers by question code: this month and over twelve months; all, by team type
    and (force-wide) by area. Cells hold answers given and, per failing answer, how many."""
    first = add_months(month, -(WINDOW_MONTHS - 1))
    fields = ["question__code", "audit__round__month", "audit__case__team__team_type", "value"]
    if force_wide:
        fields.append("audit__round__area__name")
    rows = (
        counted_answers(final, first=first, last=month)
        .values(*fields)
        .annotate(n=Count("pk"))
        .order_by()
    )
    questions: dict[str, dict] = {}
    areas: set[str] = set()
    for row in rows:
        entry = questions.setdefault(
            row["question__code"],
            {
                period: {
                    "all": _cell(),
                    "by_team_type": {code: _cell() for code in TeamType.values},
                    "by_area": {},
                }
                for period in ("month", "year")
            },
        )
        periods = ["year", "month"] if row["audit__round__month"] == month else ["year"]
        area_name = row.get("audit__round__area__name")
        if area_name:
            areas.add(area_name)
        for period in periods:
            cells = entry[period]
            _add(cells["all"], row["value"], row["n"])
            _add(cells["by_team_type"][row["audit__case__team__team_type"]], row["value"], row["n"])
            if area_name:
                _add(cells["by_area"].setdefault(area_name, _cell()), row["value"], row["n"])
    labels = question_labels(questions)
    return {
        "first_month": first,
        "failed_values": failed_values(),
        "failed_words": failed_answer_labels(),
        "team_types": [[code, label] for code, label in TeamType.choices],
        "areas": sorted(areas),
        "questions": [
            {
                "code": code,
                "text": labels.get(code, {}).get("text", ""),
                "number": labels.get(code, {}).get("number", 0),
                "critical": labels.get(code, {}).get("is_critical", False),
                **entry,
            }
            for code, entry in questions.items()
        ],
    }


# --- Display ------------------------------------------------------------------------------------


def _failed_total(cell: dict) -> int:
    return sum(cell["failed"])


def _rate(cell: dict) -> float:
    return _failed_total(cell) / cell["answered"] if cell["answered"] else -1.0


def cell_shares(cell: dict | None, share: Share) -> dict:
    """A cell as the report prints it: every failing answer's share, and all of them together."""
    cell = cell or _cell()
    return {
        "answered": cell["answered"],
        "each": [share(n, cell["answered"]) for n in cell["failed"]],
        "failed": share(_failed_total(cell), cell["answered"]),
    }


def questions_display(section: dict | None, share: Share) -> dict | None:
    """The questions that fail most first (this month's share, then twelve months'), with every
    share made by `share` (the report's `percent`). None for reports compiled before it."""
    if not section:
        return None
    ordered = sorted(
        section["questions"],
        key=lambda q: (-_rate(q["month"]["all"]), -_rate(q["year"]["all"]), q["number"], q["code"]),
    )
    team_types = section["team_types"]
    areas = section["areas"]
    rows = []
    for question in ordered:
        rows.append(
            {
                "code": question["code"],
                "text": question["text"],
                "critical": question["critical"],
                "month": cell_shares(question["month"]["all"], share),
                "year": cell_shares(question["year"]["all"], share),
                "by_team_type": [
                    cell_shares(question[period]["by_team_type"].get(code), share)
                    for period in ("month", "year")
                    for code, _ in team_types
                ],
                "by_area": [
                    cell_shares(question[period]["by_area"].get(name), share)
                    for period in ("month", "year")
                    for name in areas
                ],
            }
        )
    return {
        "failed_labels": [label for _, label in section["failed_values"]],
        "failed_words": section["failed_words"],
        "first_month": datetime.date.fromisoformat(str(section["first_month"])[:10]),
        "team_types": [label for _, label in team_types],
        "areas": areas,
        "rows": rows,
    }


def recommendation_evidence(rec: dict, share: Share) -> str:
    """A recommendation's evidence from the month's answers on its questions, as shares; "no
    case of this kind this month" where none was answered."""
    values = [AnswerValue.YES, *FAILED_ANSWERS]
    counts = [
        (AnswerValue(value).label.lower(), rec.get(f"evidence_{value}"))
        for value in values
        if rec.get(f"evidence_{value}") is not None
    ]
    total = sum(n for _, n in counts)
    if not total:
        return "no case of this kind this month"
    return ", ".join(f"{label} {share(n, total)}" for label, n in counts)
