"""Area against area, for the force-wide PVP report: grades by area and team type, and the key
(critical) questions' failing answers by area and team type, from the audits the report counts.

`areas_section` compiles plain counts (four queries whatever the data; none for an area report);
`areas_display` turns them into what the template prints: grade cells by
`statistics.count_and_share`, shares by the report's `percent`."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q

from audit_app import statistics
from audit_app.audits.models import Grade, Moderation
from audit_app.models import Area, Force, TeamType
from audit_app.reports.sections.questions import (
    Share,
    cell_shares,
    counted_answers,
    failed_values,
    question_labels,
)

GRADES = [Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE]


def areas_section(
    *, final: Q, force: Force, area: Area | None, month: datetime.date
) -> dict | None:
    """Grades and key questions by area and team type for `month`; None in an area's report.
    `final` is report_content's rule for the moderations it counts."""
    if area is not None:
        return None
    grade_index = {grade.value: i for i, grade in enumerate(GRADES)}
    areas = {
        row["pk"]: {
            "name": row["name"],
            "grades": {code: [0] * len(GRADES) for code in TeamType.values},
            "key_questions": {},
        }
        for row in Area.objects.filter(force=force).order_by("name").values("pk", "name")
    }
    grades = (
        Moderation.objects.filter(final, audit__round__month=month)
        .values("audit__round__area_id", "audit__case__team__team_type", "agreed_grade")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in grades:
        counts = areas[row["audit__round__area_id"]]["grades"]
        counts[row["audit__case__team__team_type"]][grade_index[row["agreed_grade"]]] += row["n"]

    failing = [value for value, _ in failed_values()]
    answers = (
        counted_answers(final, first=month, last=month)
        .filter(question__is_critical=True)
        .values("question__code", "audit__round__area_id", "audit__case__team__team_type", "value")
        .annotate(n=Count("pk"))
        .order_by()
    )
    codes = set()
    for row in answers:
        codes.add(row["question__code"])
        by_team = areas[row["audit__round__area_id"]]["key_questions"].setdefault(
            row["question__code"],
            {code: {"answered": 0, "failed": [0] * len(failing)} for code in TeamType.values},
        )
        cell = by_team[row["audit__case__team__team_type"]]
        cell["answered"] += row["n"]
        if row["value"] in failing:
            cell["failed"][failing.index(row["value"])] += row["n"]
    labels = question_labels(codes)
    key_questions = sorted(
        ({"code": code, "text": labels.get(code, {}).get("text", "")} for code in codes),
        key=lambda q: (labels.get(q["code"], {}).get("number", 0), q["code"]),
    )
    return {
        "grades": [[grade.value, grade.label] for grade in GRADES],
        "team_types": [[code, label] for code, label in TeamType.choices],
        "failed_values": failed_values(),
        "areas": list(areas.values()),
        "key_questions": key_questions,
    }


# --- Display ------------------------------------------------------------------------------------


def areas_display(section: dict | None, share: Share) -> dict | None:
    """Rows to print, every share made by `share` (the report's `percent`); None where the report
    has no area section (an area's report, or one compiled before it)."""
    if not section:
        return None
    team_types = section["team_types"]
    grade_rows = []
    for entry in section["areas"]:
        rows = [(label, entry["grades"][code]) for code, label in team_types]
        rows.append(("All", [sum(c) for c in zip(*(counts for _, counts in rows), strict=True)]))
        for label, counts in rows:
            total = sum(counts)
            grade_rows.append(
                {
                    "area": entry["name"],
                    "team_type": label,
                    "is_total": label == "All",
                    "cells": [statistics.count_and_share(n, total) for n in counts],
                    "total": total,
                }
            )
    key_rows = [
        {
            "code": question["code"],
            "text": question["text"],
            "team_types": [
                {
                    "label": label,
                    "cells": [
                        cell_shares(
                            entry["key_questions"].get(question["code"], {}).get(code), share
                        )
                        for entry in section["areas"]
                    ],
                }
                for code, label in team_types
            ],
        }
        for question in section["key_questions"]
    ]
    return {
        "grade_labels": [label for _, label in section["grades"]],
        "failed_labels": [label for _, label in section["failed_values"]],
        "areas": [entry["name"] for entry in section["areas"]],
        "grade_rows": grade_rows,
        "key_rows": key_rows,
    }
