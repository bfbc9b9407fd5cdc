"""Reading the staff directory: who an audit manager may see, line-management chains, imports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from audit_app.directory.models import StaffImport, StaffImportRow
from audit_app.models import Role, StaffMember, Team, User
from audit_app.permissions import user_scope

# Deeper than any force's line management; a longer chain is cut there (and a circle, which the
# directory refuses but older data may hold, ends where it meets itself).
MAX_CHAIN_DEPTH = 30
QUERY_BATCH = 2000


def management_chain_ids(staff_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each staff id, the ids of everyone above them in line management.

    One query per level of management (at most MAX_CHAIN_DEPTH), whatever the number of ids;
    a circle in the data ends the chain where it meets itself, and a person is never above
    themselves."""
    wanted = {pk for pk in staff_ids if pk is not None}
    managers: dict[int, int | None] = {}
    frontier = set(wanted)
    for _ in range(MAX_CHAIN_DEPTH + 1):
        frontier -= managers.keys()
        if not frontier:
            break
        ids = list(frontier)
        for start in range(0, len(ids), QUERY_BATCH):
            managers.update(
                StaffMember.objects.filter(pk__in=ids[start : start + QUERY_BATCH]).values_list(
                    "pk", "line_manager_id"
                )
            )
        for pk in ids:
            managers.setdefault(pk, None)  # gone since it was named
        frontier = {m for m in (managers[pk] for pk in ids) if m is not None}
    chains: dict[int, set[int]] = {}
    for pk in wanted:
        above: set[int] = set()
        node = managers.get(pk)
        while node is not None and node != pk and node not in above:
            above.add(node)
            if len(above) >= MAX_CHAIN_DEPTH:
                break
            node = managers.get(node)
        chains[pk] = above
    return chains


def staff_visible_to(user: User) -> QuerySet[StaffMember]:
    """The people an audit manager may see: the whole force's for a force-wide manager, the
    people in their areas' teams for an area's."""
    scope = user_scope(user)
    condition = Q(pk__in=[])
    if force_ids := scope.force_wide.get(Role.AUDIT_MANAGER):
        condition |= Q(force_id__in=force_ids)
    if area_ids := scope.by_area.get(Role.AUDIT_MANAGER):
        condition |= Q(team__area_id__in=area_ids)
    return StaffMember.objects.filter(condition)


def staff_search(user: User, query: str = "") -> QuerySet[StaffMember]:
    """The people the user may see, matching a staff number (from its start) or a name."""
    people = staff_visible_to(user).select_related("team__area", "line_manager")
    query = " ".join(query.split())[:120]
    if query:
        people = people.filter(Q(identifier__istartswith=query) | Q(name__icontains=query))
    return people.order_by("identifier")


def staff_member_for_user(user: User, staff_id: int) -> StaffMember:
    """The person, if the user may see them; 404 otherwise."""
    return get_object_or_404(
        staff_visible_to(user).select_related("team__area", "line_manager", "force"),
        pk=staff_id,
    )


@dataclass(frozen=True)
class ChangeRow:
    kind: str
    fields: list[str]
    who: str
    at: datetime


HISTORY_FIELDS = {
    "identifier": "staff number",
    "name": "name",
    "rank": "rank",
    "email": "email",
    "team": "team",
    "line_manager": "line manager",
    "is_active": "active",
}
HISTORY_KINDS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def staff_history(staff_member: StaffMember, limit: int = 30) -> list[ChangeRow]:
    """The person's last changes, newest first: what changed, why (the change reason), who."""
    versions = list(
        staff_member.history.select_related("history_user").order_by("history_date", "history_id")
    )
    rows: list[ChangeRow] = []
    older = None
    for version in versions:
        fields: list[str] = []
        if older is not None:
            changed = version.diff_against(older).changed_fields
            fields = [HISTORY_FIELDS[name] for name in changed if name in HISTORY_FIELDS]
        older = version
        kind = HISTORY_KINDS.get(version.history_type, "Changed")
        if version.history_change_reason:
            kind = f"{kind} ({version.history_change_reason})"
        who = version.history_user.display_name if version.history_user else "The system"
        rows.append(ChangeRow(kind=kind, fields=fields, who=who, at=version.history_date))
    return rows[::-1][:limit]


def staff_imports_for(user: User) -> QuerySet[StaffImport]:
    """The staff imports of the forces the user is the force-wide audit manager of."""
    force_ids = user_scope(user).force_wide.get(Role.AUDIT_MANAGER, frozenset())
    return StaffImport.objects.filter(force_id__in=force_ids).select_related("uploaded_by")


def staff_import_for_user(user: User, staff_import_id: int) -> StaffImport:
    return get_object_or_404(
        staff_imports_for(user).select_related("force", "applied_by"), pk=staff_import_id
    )


def import_rows(staff_import: StaffImport, outcome: str = "") -> QuerySet[StaffImportRow]:
    rows = StaffImportRow.objects.filter(staff_import=staff_import)
    if outcome:
        rows = rows.filter(outcome=outcome)
    return rows.order_by("row_number")


def not_in_file(staff_import: StaffImport) -> list[tuple[int, str, str]]:
    """The force's people no row of the file names: (id, staff number, name), kept unchanged."""
    named = {
        identifier.upper()
        for identifier in StaffImportRow.objects.filter(staff_import=staff_import).values_list(
            "identifier", flat=True
        )
    }
    return [
        (pk, identifier, name)
        for pk, identifier, name in StaffMember.objects.filter(force=staff_import.force)
        .order_by("identifier")
        .values_list("pk", "identifier", "name")
        if identifier.upper() not in named
    ]


def change_labels(rows: Iterable[StaffImportRow]) -> dict[int, list[tuple[str, str, str]]]:
    """Each row's changes to show, by row id: (field, old, new), a team by its name."""
    rows = list(rows)
    team_ids = {
        value
        for row in rows
        for name, pair in row.changes.items()
        if name == "team"
        for value in pair
        if value
    }
    teams = {
        team.pk: f"{team.name} ({team.area.name})"
        for team in Team.objects.filter(pk__in=team_ids).select_related("area")
    }
    labels = {
        "name": "Name",
        "rank": "Rank",
        "email": "Email",
        "team": "Team",
        "line_manager": "Line manager",
        "is_active": "Active",
    }

    def shown(name: str, value: object) -> str:
        if name == "team":
            return teams.get(value, "none") if value else "none"
        if name == "is_active":
            return "yes" if value else "no (marked as left)"
        return str(value) if value else "none"

    return {
        row.pk: [(labels[n], shown(n, old), shown(n, new)) for n, (old, new) in row.changes.items()]
        for row in rows
    }
