"""The change history of a record (django-simple-history), as rows a page can show."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Model

KIND_LABELS = {"+": "Created", "~": "Changed", "-": "Deleted"}
# Bookkeeping fields that change on every save and say nothing to a reader.
IGNORED_FIELDS = {"revision", "updated_at"}


@dataclass(frozen=True)
class HistoryRow:
    at: datetime.datetime
    who: str
    kind: str
    fields: list[str]


def change_history(
    record: Model, limit: int = 30, hidden_fields: Collection[str] = ()
) -> list[HistoryRow]:
    """The record's last `limit` changes, newest first, naming the fields each one changed."""
    return changes_to_many(record.history.all(), limit=limit, hidden_fields=hidden_fields)


def changes_to_many(
    history_queryset, describe=None, limit: int = 30, hidden_fields: Collection[str] = ()
) -> list[HistoryRow]:
    """Changes to the records in `history_queryset` (one record's, or e.g. a plan's actions),
    newest first. `describe`, when given, names each record for the reader ("action: ...").
    Changes to `hidden_fields` are not mentioned (a change to those alone is left out)."""
    versions = list(
        history_queryset.select_related("history_user").order_by("history_date", "history_id")
    )
    previous: dict[int, object] = {}
    rows = []
    for version in versions:
        older = previous.get(version.id)
        previous[version.id] = version
        fields: list[str] = []
        if older is not None and version.history_type == "~":
            model = version.instance_type
            fields = [
                str(model._meta.get_field(name).verbose_name)
                for name in version.diff_against(older).changed_fields
                if name not in IGNORED_FIELDS and name not in hidden_fields
            ]
            if not fields:
                continue
        user = version.history_user
        rows.append(
            HistoryRow(
                at=version.history_date,
                who=(user.get_full_name() or user.username) if user else "System",
                kind=KIND_LABELS.get(version.history_type, version.history_type)
                + (f" – {describe(version)}" if describe else ""),
                fields=fields,
            )
        )
    return rows[::-1][:limit]
