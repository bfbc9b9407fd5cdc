"""Demo meeting actions: what last month's PVP meetings agreed, so this month's report shows them.

Idempotent: each action is found by its meeting and wording, so running the demo again adds nothing.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from audit_app.audits.models import FindingTheme
from audit_app.models import Force, Role, RoleAssignment
from audit_app.months import add_months, current_month
from audit_app.reports.models import ActionState, ActionType, MeetingAction
from recommendations.models import Recommendation

DEMO_ACTIONS = [
    # (area code or None for the central meeting, months ago, description, type, owner,
    #  days after the meeting's month began it is due, state, finding theme, recommendation)
    (
        "west",
        1,
        "Brief response and neighbourhood sergeants on recording the child's own words at "
        "first contact, using two anonymised cases from this month's audit.",
        ActionType.BRIEFING,
        "DI West (PVP)",
        45,
        ActionState.IN_PROGRESS,
        "Voice of the child not recorded",
        None,
    ),
    (
        "west",
        2,
        "Email to all officers and staff: a PVP referral is needed whenever a child is present "
        "at a domestic abuse incident.",
        ActionType.EMAIL,
        "Detective Superintendent West",
        20,
        ActionState.DONE,
        "Missed referral",
        None,
    ),
    (
        None,
        1,
        "Intranet campaign on supervisory reviews that add value, with the good practice "
        "examples chosen by moderators.",
        ActionType.CAMPAIGN,
        "Head of safeguarding and investigation",
        60,
        ActionState.AGREED,
        "Supervision lacking",
        1,
    ),
]


@transaction.atomic
def build_reports_demo(force: Force, today: datetime.date | None = None) -> list[MeetingAction]:
    this_month = current_month(today)
    recorder = (
        RoleAssignment.objects.filter(force=force, role=Role.SENIOR_LEADER, area__isnull=True)
        .select_related("user")
        .first()
    )
    if recorder is None:
        return []
    areas = {area.code: area for area in force.areas.all()}
    actions = []
    for area_code, months_ago, text, kind, owner, due_days, state, theme, rec in DEMO_ACTIONS:
        month = add_months(this_month, -months_ago)
        action, created = MeetingAction.objects.get_or_create(
            force=force,
            area=areas.get(area_code) if area_code else None,
            meeting_month=month,
            description=text,
            defaults={
                "action_type": kind,
                "owner": owner,
                "due_on": month + datetime.timedelta(days=due_days),
                "state": state,
                "recommendation": Recommendation.objects.filter(
                    inspection__force=force, number=rec
                ).first()
                if rec
                else None,
                "created_by": recorder.user,
                "updated_by": recorder.user,
            },
        )
        if created:
            action.themes.set(FindingTheme.objects.filter(name=theme))
        actions.append(action)
    return actions
