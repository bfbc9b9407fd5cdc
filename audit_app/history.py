"""The change history of a record (django-simple-history), as rows a page can show."""

from __future__ import annotations

import datetime
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


def change_history(record: Model, limit: int = 30) -> list[HistoryRow]:
    """The record's last `limit` changes, newest first, naming the fields each one changed."""
    versions = list(
        record.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    rows = []
    for newer, older in zip(versions, [*versions[1:], None], strict=True):
        if len(rows) == limit:
            break
        fields: list[str] = []
        if older is not None and newer.history_type == "~":
            delta = newer.diff_against(older)
            fields = [
                str(record._meta.get_field(name).verbose_name)
                for name in delta.changed_fields
                if name not in IGNORED_FIELDS
            ]
            if not fields:
                continue
        user = newer.history_user
        rows.append(
            HistoryRow(
                at=newer.history_date,
                who=(user.get_full_name() or user.username) if user else "System",
                kind=KIND_LABELS.get(newer.history_type, newer.history_type),
                fields=fields,
            )
        )
    return rows


def changes_to_many(history_queryset, describe, limit: int = 30) -> list[HistoryRow]:
    """Changes to several records of one kind (e.g. a plan's actions), newest first.

    `history_queryset` is the model's history filtered to the records wanted; `describe` names
    a historical record for the reader ("Action: brief all response officers").
    """
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
                if name not in IGNORED_FIELDS
            ]
            if not fields:
                continue
        user = version.history_user
        rows.append(
            HistoryRow(
                at=version.history_date,
                who=(user.get_full_name() or user.username) if user else "System",
                kind=f"{KIND_LABELS.get(version.history_type, '')} – {describe(version)}",
                fields=fields,
            )
        )
    return rows[::-1][:limit]
