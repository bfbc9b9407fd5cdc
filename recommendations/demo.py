"""Demo data for recommendations: the force's action plan and a couple of self-assessments.

Dates follow today, so the plan always has completed, current and overdue actions. Running it
again changes nothing: actions are found by recommendation and description, and assessments are
added only to recommendations that have no force self-assessment yet.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from audit_app.models import Force, Role, User
from audit_app.months import add_months
from recommendations.models import (
    ActionState,
    AssessorKind,
    Inspection,
    ProgressAssessment,
    Rating,
    RecommendationAction,
)

# (recommendation number, point order or None, action, owner, months from today, state)
ACTIONS = [
    (
        1,
        None,
        "Hold a monthly PVP meeting in each area and a central one chaired by the head of "
        "safeguarding, with audit findings as a standing item.",
        "Head of safeguarding",
        -8,
        ActionState.COMPLETE,
    ),
    (
        1,
        None,
        "Publish the standards expected of child-protection work, and brief every "
        "supervisor on them.",
        "Central PPU",
        -5,
        ActionState.COMPLETE,
    ),
    (
        2,
        1,
        "Give force control room staff a checklist of systems to research before officers "
        "attend an incident involving a child.",
        "Force control room manager",
        -2,
        ActionState.IN_PROGRESS,
    ),
    (
        2,
        2,
        "Sergeants review every incident flagged as involving a child before the end of the shift.",
        "Response chief inspectors",
        2,
        ActionState.IN_PROGRESS,
    ),
    (
        4,
        1,
        "Replace the 'absent' category with the College of Policing definition of missing.",
        "Missing persons co-ordinator",
        -1,
        ActionState.NOT_STARTED,
    ),
    (
        4,
        4,
        "Agree with each local authority how return home interview findings reach the "
        "investigating officer.",
        "Central PPU",
        3,
        ActionState.NOT_STARTED,
    ),
    (
        7,
        1,
        "Set a 28-day supervisory review for non-specialist child-protection "
        "investigations, as in specialist teams.",
        "Head of crime",
        -3,
        ActionState.IN_PROGRESS,
    ),
    (
        7,
        3,
        "Audit ten cases per area each month and report the findings to the PVP meeting.",
        "Central PPU",
        -9,
        ActionState.COMPLETE,
    ),
    (
        10,
        2,
        "Seek alternative accommodation before charge and escalate to the duty "
        "superintendent when none is found.",
        "Custody inspector",
        1,
        ActionState.IN_PROGRESS,
    ),
]

# (recommendation number, months from today, rating, narrative)
SELF_ASSESSMENTS = [
    (
        7,
        -1,
        Rating.PARTLY_ACHIEVED,
        "Monthly audits show supervisory review in most specialist "
        "cases; response teams still lag and the 28-day review is being rolled out.",
    ),
    (
        10,
        -1,
        Rating.IN_PROGRESS,
        "Accommodation is now sought earlier in two of three custody "
        "suites; escalation to the duty superintendent is not yet routine.",
    ),
]


def _manager(force: Force) -> User | None:
    return (
        User.objects.filter(
            role_assignments__force=force,
            role_assignments__role=Role.AUDIT_MANAGER,
            role_assignments__area__isnull=True,
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def build_recommendations_demo(force: Force, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    inspection = (
        Inspection.objects.filter(force=force, recommendations__isnull=False)
        .order_by("-published_on", "-pk")
        .first()
    )
    if inspection is None:
        return
    recommendations = {r.number: r for r in inspection.recommendations.prefetch_related("points")}
    manager = _manager(force)
    for number, order, description, owner, months, state in ACTIONS:
        recommendation = recommendations.get(number)
        if recommendation is None:
            continue
        point = next((p for p in recommendation.points.all() if p.order == order), None)
        due_on = add_months(today, months)
        complete = state == ActionState.COMPLETE
        RecommendationAction.objects.get_or_create(
            recommendation=recommendation,
            description=description,
            defaults={
                "point": point,
                "owner": owner,
                "due_on": due_on,
                "state": state,
                "completed_on": due_on - datetime.timedelta(days=3) if complete else None,
                "notes": "Confirmed at the central PVP meeting." if complete else "",
                "created_by": manager,
                "updated_by": manager,
            },
        )
    for number, months, rating, narrative in SELF_ASSESSMENTS:
        recommendation = recommendations.get(number)
        if (
            recommendation is None
            or recommendation.assessments.filter(kind=AssessorKind.FORCE).exists()
        ):
            continue
        ProgressAssessment.objects.create(
            recommendation=recommendation,
            kind=AssessorKind.FORCE,
            assessed_on=add_months(today, months),
            rating=rating,
            narrative=narrative,
            recorded_by=manager,
            source="" if manager else "Demo data",
        )
