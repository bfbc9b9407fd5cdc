"""Key messages: the month's main messages for managers, drafted before the PVP meeting by the
area's moderator (or the audit manager, for an area or the whole force) and printed on the
report's summary page. Reads, the permission helper and the one write."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404

from audit_app.models import Area, Force, Role, User
from audit_app.months import first_of_month
from audit_app.permissions import areas_for, user_scope
from audit_app.reports.models import KEY_MESSAGES_MAX_LENGTH, KeyMessages

# The area's detective inspector (its moderator) drafts them; audit managers may too, and only
# audit managers write the force-wide meeting's.
KEY_MESSAGE_WRITERS = (Role.MODERATOR, Role.AUDIT_MANAGER)
FORCE_WIDE_WRITERS = (Role.AUDIT_MANAGER,)


@dataclass(frozen=True)
class Meeting:
    """A meeting whose key messages a user may write: an area's, or (area None) the force's."""

    force: Force
    area: Area | None

    @property
    def key(self) -> str:
        return f"area-{self.area.pk}" if self.area is not None else f"force-{self.force.pk}"

    @property
    def label(self) -> str:
        return (
            f"{self.area.name} area"
            if self.area is not None
            else f"Whole force ({self.force.name})"
        )


def key_message_meetings(user: User) -> list[Meeting]:
    """The meetings the user may write key messages for: the whole force first, then areas."""
    scope = user_scope(user)
    force_ids: set[int] = set()
    for role in FORCE_WIDE_WRITERS:
        force_ids |= scope.force_wide.get(role, frozenset())
    meetings = [
        Meeting(force=force, area=None)
        for force in Force.objects.filter(pk__in=force_ids).order_by("name")
    ]
    meetings += [
        Meeting(force=area.force, area=area)
        for area in areas_for(user, KEY_MESSAGE_WRITERS)
        .select_related("force")
        .order_by("force__name", "name")
    ]
    return meetings


def key_message_meeting_for(user: User, key: str) -> Meeting:
    """The meeting `key` ("area-<id>" or "force-<id>") names, if the user may write its key
    messages; 404 otherwise, so another area's meeting is not even confirmed to exist."""
    for meeting in key_message_meetings(user):
        if meeting.key == key:
            return meeting
    raise Http404("No such meeting.")


def _meeting_filter(force: Force, area: Area | None) -> Q:
    return Q(force=force, area=area) if area is not None else Q(force=force, area__isnull=True)


def key_messages_readable(user: User, roles: tuple[str, ...], limit: int = 50):
    """The key messages of the meetings whose reports the user reads, newest month first."""
    scope = user_scope(user)
    force_ids: set[int] = set()
    for role in roles:
        force_ids |= scope.force_wide.get(role, frozenset())
    visible = Q(area__in=areas_for(user, roles)) | Q(area__isnull=True, force_id__in=force_ids)
    return (
        KeyMessages.objects.filter(visible)
        .select_related("area", "force", "written_by")
        .order_by("-month", "area__name")[:limit]
    )


def key_messages_get(
    *, force: Force, area: Area | None, month: datetime.date
) -> KeyMessages | None:
    return (
        KeyMessages.objects.filter(_meeting_filter(force, area), month=first_of_month(month))
        .select_related("written_by")
        .first()
    )


def key_messages_for_report(
    *, force: Force, area: Area | None, month: datetime.date
) -> dict | None:
    """The key messages as the compiled report keeps them (None when none were written): one
    query."""
    row = (
        KeyMessages.objects.filter(_meeting_filter(force, area), month=first_of_month(month))
        .values("text", "updated_at")
        .first()
    )
    return {"text": row["text"], "updated_at": row["updated_at"]} if row else None


def key_messages_history(key_messages: KeyMessages | None, limit: int = 10):
    """The earlier drafts, newest first, with who wrote them."""
    if key_messages is None:
        return []
    return list(
        key_messages.history.select_related("history_user").order_by("-history_date")[:limit]
    )


def key_messages_save(
    *, force: Force, area: Area | None, month: datetime.date, text: str, by: User
) -> KeyMessages:
    """Write (or rewrite) the meeting's key messages for the month; the history keeps each draft."""
    text = text.strip().replace("\r\n", "\n")
    if not text:
        raise ValidationError("Enter the key messages")
    if len(text) > KEY_MESSAGES_MAX_LENGTH:
        raise ValidationError(f"Key messages must be {KEY_MESSAGES_MAX_LENGTH} characters or fewer")
    if area is not None and area.force_id != force.pk:
        raise ValidationError("That area is not in this force.")
    month = first_of_month(month)
    with transaction.atomic():
        row = (
            KeyMessages.objects.select_for_update(of=("self",))
            .filter(_meeting_filter(force, area), month=month)
            .first()
        )
        if row is None:
            row = KeyMessages(force=force, area=area, month=month)
        row.text = text
        row.written_by = by
        row._history_user = by
        row.save()
    return row
