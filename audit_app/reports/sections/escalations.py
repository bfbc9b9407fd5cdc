"""The report's safeguarding escalations: raised this month, still open, overdue and answered.

An escalation is a child who may still be at risk, raised from an audit at once and apart from
grading, so it is reported whatever the audit's round or moderation: it is never the grade, and
nothing of the grade (nor whether the audit is moderated blind) is read here. Cases are named by
reference, area and team only: the concern and the response are free text about a child and stay
in Case Audit, out of a report that is printed and passed round.

Everything is as it stood at the report's cut-off: an escalation raised after it is left out, and
one answered after it counts as still open.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from audit_app.audits.models import SafeguardingEscalation
from audit_app.models import Area, Force
from audit_app.months import add_months

OPEN, OVERDUE, RESPONDED = "open", "overdue", "responded"
STATUS_LABELS = {OPEN: "Open", OVERDUE: "Overdue", RESPONDED: "Responded"}
_STATUS_ORDER = {OVERDUE: 0, OPEN: 1, RESPONDED: 2}


def _start_of(month: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(month, datetime.time.min))


def escalations_section(
    *, force: Force, area: Area | None, month: datetime.date, cutoff: datetime.datetime
) -> dict:
    """The figures and the escalations behind them, as plain data, in one query.

    - raised: raised during the month;
    - open: not answered by the cut-off, whenever raised; overdue: those past their respond-by;
    - responded: answered during the month (by the cut-off).
    Listed: every escalation in one of these, overdue first, then open, then answered."""
    start, end = _start_of(month), _start_of(add_months(month, 1))
    scope = (
        Q(audit__round__area_id=area.pk)
        if area is not None
        else Q(audit__round__area__force_id=force.pk)
    )
    not_answered = Q(responded_at__isnull=True) | Q(responded_at__gt=cutoff)
    raised_in_month = Q(raised_at__gte=start, raised_at__lt=end)
    answered_in_month = Q(responded_at__gte=start, responded_at__lt=end, responded_at__lte=cutoff)
    rows = (
        SafeguardingEscalation.objects.filter(scope, raised_at__lte=cutoff)
        .filter(raised_in_month | not_answered | answered_in_month)
        .values(
            "audit__case__reference",
            "audit__round__area__name",
            "audit__case__team__name",
            "raised_at",
            "respond_by",
            "responded_at",
            "action_taken_on",
        )
        .order_by("respond_by", "audit__case__reference", "pk")
    )
    items = []
    figures = {"raised": 0, "open": 0, "overdue": 0, "responded": 0}
    for row in rows:
        answered_at = row["responded_at"]
        if answered_at is not None and answered_at <= cutoff:
            status = RESPONDED
        elif row["respond_by"] < cutoff:
            status = OVERDUE
        else:
            status = OPEN
        raised_now = start <= row["raised_at"] < end
        figures["raised"] += raised_now
        figures["open"] += status != RESPONDED
        figures["overdue"] += status == OVERDUE
        responded_now = status == RESPONDED and start <= answered_at < end
        figures["responded"] += responded_now
        items.append(
            {
                "reference": row["audit__case__reference"],
                "area": row["audit__round__area__name"],
                "team": row["audit__case__team__name"],
                "raised_at": row["raised_at"],
                "raised_this_month": raised_now,
                "respond_by": row["respond_by"],
                "status": status,
                "status_label": STATUS_LABELS[status],
                "responded_at": answered_at if status == RESPONDED else None,
                "responded_late": status == RESPONDED and answered_at > row["respond_by"],
                "action_taken_on": row["action_taken_on"] if status == RESPONDED else None,
            }
        )
    items.sort(key=lambda item: _STATUS_ORDER[item["status"]])  # stable: by respond-by within
    return {"figures": figures, "items": items}


def escalations_for_display(section: dict | None) -> dict | None:
    """The stored section with its dates read back (None: compiled before the section existed)."""
    if section is None:
        return None

    def when(value, parse):
        return parse(value) if isinstance(value, str) else value

    return {
        "figures": section["figures"],
        "items": [
            {
                **item,
                "raised_at": when(item["raised_at"], parse_datetime),
                "respond_by": when(item["respond_by"], parse_datetime),
                "responded_at": when(item["responded_at"], parse_datetime),
                "action_taken_on": when(item["action_taken_on"], parse_date),
            }
            for item in section["items"]
        ],
    }
