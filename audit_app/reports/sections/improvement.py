"""The report's "Areas for improvement" section grouped by finding theme, and the definition of
each team type drawn from the Team table rather than written into the template.

Both are plain data for the report's stored content. Reports compiled before these keys existed
keep the flat `improvement` list and the fixed wording, and the template still renders them.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q

from audit_app.audits.models import Moderation
from audit_app.models import Area, Force, Team, TeamType


def _case(row: dict) -> dict:
    """A case as the report names it (reference and team, never a person) with its improvement."""
    return {
        "reference": row["audit__case__reference"],
        "area": row["audit__round__area__name"],
        "team": row["audit__case__team__name"],
        "team_type": row["audit__case__team__team_type"],
        "theme": row["audit__case__theme__code"],
        "theme_name": row["audit__case__theme__name"],
        "grade": row["agreed_grade"],
        "text": row["audit__areas_for_improvement"],
    }


def improvement_by_theme(rows: list[dict], moderations: Q) -> dict:
    """Each finding theme tagged on the month's moderated audits, most frequent first, with every
    case tagged with it (and its improvement text, if any); then the cases with an improvement
    recorded but no theme. `rows` are the report's month rows (one per moderated audit, with
    `audit_id`), `moderations` the filter that chose them. One query."""
    tags = (
        Moderation.themes.through.objects.filter(
            moderation__in=Moderation.objects.filter(moderations)
        )
        .values_list("moderation__audit_id", "findingtheme__name")
        .order_by()
    )
    themes_of: dict[int, list[str]] = defaultdict(list)
    for audit_id, name in tags:
        themes_of[audit_id].append(name)
    grouped: dict[str, list[dict]] = defaultdict(list)
    untagged = []
    for row in rows:
        case = _case(row)
        names = themes_of.get(row["audit_id"])
        if names:
            for name in names:
                grouped[name].append(case)
        elif case["text"]:
            untagged.append(case)
    themes = [
        {"name": name, "cases": cases}
        for name, cases in sorted(grouped.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    return {"themes": themes, "untagged": untagged}


def team_types_defined(*, force: Force, area: Area | None) -> list[dict]:
    """Each team type with the names of the report's teams of that type (the area's, or every
    area's for the force), so the report says what "specialist" means here. One query."""
    teams = (
        Team.objects.filter(area=area)
        if area is not None
        else Team.objects.filter(area__force=force)
    )
    names: dict[str, set[str]] = defaultdict(set)
    for team_type, name in teams.values_list("team_type", "name"):
        names[team_type].add(name)
    return [
        {"code": code, "label": label, "teams": sorted(names[code], key=str.casefold)}
        for code, label in TeamType.choices
    ]
