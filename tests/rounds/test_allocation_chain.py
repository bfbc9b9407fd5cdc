"""Allocation keeps an auditor off cases where the staff directory puts them in line management
with the officer or the supervisor, either way round, as well as off their own team's."""

from __future__ import annotations

from collections import Counter

import pytest

from audit_app.audits.models import Audit
from audit_app.models import Area, Role
from audit_app.models.reference import CaseTheme
from audit_app.months import add_months, current_month
from audit_app.rounds import services as rounds
from audit_app.rounds.services import AuditorLoad, CaseToAllocate, conflicts, plan_allocation
from tests import factories

OFFICER, SUPERVISOR, INSPECTOR, AUDITOR_A, AUDITOR_B = 1, 2, 3, 4, 5


def _case(case_id: int, team: int = 10) -> CaseToAllocate:
    # Officer 1 -> supervisor 2 -> inspector 3.
    return CaseToAllocate(case_id, team, frozenset({OFFICER, SUPERVISOR}), frozenset({INSPECTOR}))


def test_an_auditor_above_the_officer_or_supervisor_conflicts():
    above = AuditorLoad(100, 20, staff_id=INSPECTOR)
    assert conflicts(_case(1), above)
    assert not conflicts(_case(1), AuditorLoad(101, 20, staff_id=AUDITOR_A))


def test_an_auditor_below_the_officer_or_supervisor_conflicts():
    below = AuditorLoad(100, 20, staff_id=AUDITOR_A, managers_ids=frozenset({SUPERVISOR, 3}))
    assert conflicts(_case(1), below)


def test_the_officer_or_supervisor_themselves_and_the_same_team_conflict():
    assert conflicts(_case(1), AuditorLoad(100, 20, staff_id=SUPERVISOR))
    assert conflicts(_case(1, team=20), AuditorLoad(100, 20))
    assert not conflicts(_case(1), AuditorLoad(100, None))


def test_plan_goes_round_the_chain_and_keeps_the_spread_even():
    cases = [_case(i) for i in range(4)]
    auditors = [
        AuditorLoad(100, 20, staff_id=INSPECTOR),  # above the supervisor
        AuditorLoad(101, 21, staff_id=AUDITOR_A),
        AuditorLoad(102, 22, staff_id=AUDITOR_B),
    ]
    plan = plan_allocation(cases, auditors)
    assert 100 not in plan.values()
    assert sorted(Counter(plan.values()).values()) == [2, 2]


def test_plan_falls_back_to_the_even_spread_when_everyone_conflicts():
    cases = [_case(i) for i in range(4)]
    auditors = [
        AuditorLoad(100, 20, staff_id=INSPECTOR),
        AuditorLoad(101, 21, staff_id=AUDITOR_A, managers_ids=frozenset({OFFICER})),
    ]
    plan = plan_allocation(cases, auditors)
    assert sorted(Counter(plan.values()).values()) == [2, 2]


def _auditor(west, position: int, name: str, **kwargs):
    """An auditor of West whose username puts them at `position` in the allocation's order."""
    return factories.user_with_role(Role.AUDITOR, west, username=f"{position}-{name}", **kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("direction", ["above", "below"])
@pytest.mark.parametrize("position", [0, 1, 2])
def test_round_allocate_never_gives_the_chained_auditor_a_case_of_their_chain(
    reference_data, direction, position
):
    """Three auditors with equal loads, one of them in line management with the officers and
    supervisors of three of the six cases: above them (their inspector) or below them (managed by
    the officer). Whatever the chained auditor's place in the order (which breaks ties), they get
    only the other cases. Without the line-management check the even spread would hand them one
    of the first three cases in every order, so this fails if the check is removed."""
    west = Area.objects.get(code="west")
    manager = factories.user_with_role(Role.AUDIT_MANAGER, west)
    teams = list(west.teams.order_by("pk"))
    inspector = factories.StaffMemberFactory(force=west.force, team=teams[2], rank="Insp")
    sergeant = factories.StaffMemberFactory(
        force=west.force, team=teams[0], rank="PS", line_manager=inspector
    )
    officer = factories.StaffMemberFactory(force=west.force, team=teams[0], line_manager=sergeant)
    if direction == "above":
        chained_staff = inspector
    else:  # from another team, managed by the case's officer
        chained_staff = factories.StaffMemberFactory(
            force=west.force, team=teams[3], line_manager=officer
        )
    others = [p for p in range(3) if p != position]
    chained = _auditor(west, position, "chained", staff_member=chained_staff)
    free_auditors = [_auditor(west, p, f"free{p}") for p in others]
    month = add_months(current_month(), 1)
    audit_round = rounds.round_create(
        area=west, month=month, due_date=add_months(month, 1), by=manager
    )
    drawn = rounds.candidate_month(audit_round)
    themes = list(CaseTheme.objects.filter(is_active=True).order_by("display_order", "code")[:6])
    # The managed cases first (the lower ids, which the spread takes first when loads are equal).
    managed = [
        factories.CaseFactory(
            area=west,
            theme=theme,
            team=teams[0],
            occurred_on=drawn,
            officer_in_case=officer,
            supervisor=sergeant if n % 2 else None,
        )
        for n, theme in enumerate(themes[:3])
    ]
    free = [
        factories.CaseFactory(area=west, theme=theme, team=teams[1], occurred_on=drawn)
        for theme in themes[3:]
    ]
    rounds.round_select(audit_round=audit_round, by=manager, seed=5)
    rounds.round_allocate(audit_round=audit_round, by=manager)
    by_case = dict(Audit.objects.filter(round=audit_round).values_list("case", "auditor"))
    assert {c.pk for c in managed + free} <= by_case.keys()
    assert all(by_case[c.pk] != chained.pk for c in managed), (direction, position)
    assert {by_case[c.pk] for c in managed} <= {a.pk for a in free_auditors}
    # Still an even spread: two cases each, the chained auditor's from the free ones.
    assert sorted(Counter(by_case[c.pk] for c in managed + free).values()) == [2, 2, 2]
    assert [c.pk for c in free if by_case[c.pk] == chained.pk] != []
