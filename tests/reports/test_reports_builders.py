"""The report builders (tests/builders.py) build what they say, so the report tests compare
against real rows."""

from __future__ import annotations

import datetime

import pytest

from audit_app.audits.models import AuditState, Grade, Moderation
from audit_app.models import Area, TeamType

# benchmarks/report_render.py imports build_months from here.
from tests.builders import Planned, build_month, build_months, people_for  # noqa: F401


@pytest.mark.django_db
def test_build_month_makes_the_planned_moderations(reference_data):
    area = Area.objects.get(code="west")
    month = datetime.date(2026, 3, 1)
    audits = build_month(
        area=area,
        month=month,
        plan=[
            Planned(
                theme="DA", original=Grade.GOOD, agreed=Grade.INADEQUATE, tags=("Missed referral",)
            ),
            Planned(theme="CSE", team_type=TeamType.NON_SPECIALIST, state=AuditState.SUBMITTED),
        ],
        people=people_for(area),
    )
    assert [audit.case.team.team_type for audit in audits] == ["specialist", "non_specialist"]
    moderation = Moderation.objects.get(audit=audits[0])
    assert (moderation.decision, moderation.original_grade, moderation.agreed_grade) == (
        "changed",
        "good",
        "inadequate",
    )
    assert [theme.name for theme in moderation.themes.all()] == ["Missed referral"]
    assert not Moderation.objects.filter(audit=audits[1]).exists()
