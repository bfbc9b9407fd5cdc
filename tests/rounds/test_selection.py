"""Selection, allocation and the round's life: properties of the plans, then the services."""

from __future__ import annotations

import datetime
import math
from collections import Counter

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_app.audits import selectors
from audit_app.audits.models import Audit, AuditState, RoundKind, RoundState
from audit_app.models import Area, Role
from audit_app.models.reference import CaseTheme
from audit_app.months import add_months, current_month
from audit_app.rounds import services as rounds
from audit_app.rounds.models import SelectionSlot
from audit_app.rounds.services import AuditorLoad, Candidate, CaseToAllocate, plan_allocation
from tests import factories
from tests.builders import candidate_cases

# Properties of the pure plans --------------------------------------------------------------------

candidates = st.builds(
    Candidate,
    case_id=st.integers(1, 400),
    team_id=st.integers(1, 6),
    station=st.sampled_from(["North", "South", "Central"]),
)
pools_strategy = st.lists(st.lists(candidates, max_size=12), min_size=1, max_size=12)


def unique_pools(pools: list[list[Candidate]]) -> list[list[Candidate]]:
    """A case id means one case: the same team and station wherever it appears."""
    first: dict[int, Candidate] = {}
    return [[first.setdefault(c.case_id, c) for c in pool] for pool in pools]


@settings(max_examples=200, deadline=None)
@given(pools=pools_strategy, seed=st.integers(0, 2**31))
def test_selection_fills_every_slot_it_can_and_never_repeats(pools, seed):
    pools = unique_pools(pools)
    picks = rounds.plan_selection(pools, seed)
    chosen = [p.case_id for p in picks if p]
    assert len(chosen) == len(set(chosen)), "a case was chosen twice"
    for pool, pick in zip(pools, picks, strict=True):
        if pick is not None:
            assert pick in pool
        else:
            # Empty only when every candidate of the slot went to another slot.
            assert {c.case_id for c in pool} <= set(chosen)


@settings(max_examples=100, deadline=None)
@given(pools=pools_strategy, seed=st.integers(0, 2**31))
def test_selection_is_reproducible_from_the_seed(pools, seed):
    pools = unique_pools(pools)
    assert rounds.plan_selection(pools, seed) == rounds.plan_selection(pools, seed)


@settings(max_examples=150, deadline=None)
@given(
    teams=st.integers(1, 6),
    slots=st.integers(1, 12),
    per_team=st.integers(1, 3),
    seed=st.integers(0, 2**31),
)
def test_selection_spreads_cases_evenly_over_teams(teams, slots, per_team, seed):
    # Every slot has candidates in every team: no team gets more than its even share.
    next_id = iter(range(1, 10_000))
    pools = [
        [
            Candidate(next(next_id), team, "Central")
            for team in range(teams)
            for _ in range(per_team)
        ]
        for _ in range(slots)
    ]
    picks = rounds.plan_selection(pools, seed)
    counts = Counter(p.team_id for p in picks)
    assert max(counts.values()) <= math.ceil(slots / teams)
    assert max(counts.values()) - min(counts.get(t, 0) for t in range(teams)) <= 1


@settings(max_examples=150, deadline=None)
@given(
    case_teams=st.lists(st.integers(1, 4), min_size=1, max_size=30),
    auditor_teams=st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=1, max_size=6),
)
def test_allocation_is_even_and_avoids_own_team_when_it_can(case_teams, auditor_teams):
    cases = [CaseToAllocate(i, team) for i, team in enumerate(case_teams)]
    auditors = [AuditorLoad(100 + i, team) for i, team in enumerate(auditor_teams)]
    plan = plan_allocation(cases, auditors)
    assert set(plan) == {c.case_id for c in cases}
    loads = Counter(plan.values())
    share = math.ceil(len(cases) / len(auditors))
    team_of = {a.user_id: a.team_id for a in auditors}
    own_team = [c for c in cases if team_of[plan[c.case_id]] == c.team_id]
    for case in own_team:
        # Only when every auditor outside the case's team had already reached the even share.
        outsiders = [a for a in auditors if a.team_id != case.team_id]
        assert all(loads[a.user_id] >= share for a in outsiders)
    if not own_team:
        assert max(loads.values()) <= share


# The services on the database ---------------------------------------------------------------


@pytest.fixture
def west(reference_data):
    return Area.objects.get(code="west")


@pytest.fixture
def manager(west):
    return factories.user_with_role(Role.AUDIT_MANAGER, west)


def next_month() -> datetime.date:
    return add_months(current_month(), 1)


def draft_round(area: Area, manager, month: datetime.date | None = None):
    month = month or next_month()
    return rounds.round_create(area=area, month=month, due_date=add_months(month, 1), by=manager)


@pytest.mark.django_db
def test_a_round_selects_one_case_per_theme_plus_force_interest(west, manager):
    audit_round = draft_round(west, manager)
    cases = candidate_cases(west, rounds.candidate_month(audit_round))
    factories.CaseFactory(  # another area's case is never chosen
        theme=CaseTheme.objects.get(code="DA"), occurred_on=rounds.candidate_month(audit_round)
    )
    slots = rounds.round_select(audit_round=audit_round, by=manager, seed=42)
    assert len(slots) == 10
    chosen = [
        s.case for s in SelectionSlot.objects.filter(round=audit_round).select_related("case")
    ]
    assert all(c is not None and c in cases for c in chosen)
    assert Counter(s.theme.code for s in slots) == Counter(
        CaseTheme.objects.values_list("code", flat=True)
    )
    assert all(
        s.case.theme_id == s.theme_id for s in SelectionSlot.objects.filter(round=audit_round)
    )
    audit_round.refresh_from_db()
    assert audit_round.selection_seed == 42

    # The same seed over the same candidates gives the same cases.
    first = list(SelectionSlot.objects.filter(round=audit_round).values_list("case_id", flat=True))
    rounds.round_select(audit_round=audit_round, by=manager, seed=42)
    again = list(SelectionSlot.objects.filter(round=audit_round).values_list("case_id", flat=True))
    assert first == again


@pytest.mark.django_db
def test_a_case_audited_or_selected_before_is_never_chosen(west, manager):
    audit_round = draft_round(west, manager)
    month = rounds.candidate_month(audit_round)
    da = CaseTheme.objects.get(code="DA")
    audited = factories.CaseFactory(area=west, theme=da, occurred_on=month)
    factories.AuditFactory(case=audited, round__area=west, round__month=add_months(month, -3))
    fresh = factories.CaseFactory(area=west, theme=da, occurred_on=month)
    rounds.round_select(audit_round=audit_round, by=manager, seed=1)
    slot = SelectionSlot.objects.get(round=audit_round, theme=da)
    assert slot.case == fresh
    assert slot.eligible_count == 1


@pytest.mark.django_db
def test_an_empty_theme_is_reported_then_drawn_from_a_neighbouring_month_or_explained(
    west, manager
):
    audit_round = draft_round(west, manager)
    month = rounds.candidate_month(audit_round)
    rounds.round_select(audit_round=audit_round, by=manager, seed=3)
    assert SelectionSlot.objects.filter(round=audit_round, case__isnull=True).count() == 10
    assert rounds.round_readiness(audit_round)

    cust = CaseTheme.objects.get(code="CUST")
    slot = SelectionSlot.objects.get(round=audit_round, theme=cust)
    earlier = factories.CaseFactory(area=west, theme=cust, occurred_on=add_months(month, -1))
    with pytest.raises(ValidationError, match="months either side"):
        rounds.slot_draw_from_month(slot=slot, by=manager, month=add_months(month, -2))
    rounds.slot_draw_from_month(slot=slot, by=manager, month=add_months(month, -1))
    slot.refresh_from_db()
    assert slot.case == earlier and slot.source_month == add_months(month, -1)

    other = SelectionSlot.objects.exclude(pk=slot.pk).filter(round=audit_round).first()
    with pytest.raises(ValidationError, match="why"):
        rounds.slot_leave_empty(slot=other, by=manager, reason="  ")
    rounds.slot_leave_empty(slot=other, by=manager, reason="No such cases this month.")
    other.refresh_from_db()
    assert other.empty_reason == "No such cases this month."


@pytest.mark.django_db
def test_swap_allocate_open_close(west, manager, django_capture_on_commit_callbacks):
    auditors = [factories.user_with_role(Role.AUDITOR, west) for _ in range(3)]
    audit_round = draft_round(west, manager)
    candidate_cases(west, rounds.candidate_month(audit_round))
    rounds.round_select(audit_round=audit_round, by=manager, seed=7)

    slot = SelectionSlot.objects.filter(round=audit_round).first()
    before = slot.case_id
    rounds.slot_swap(slot=slot, by=manager)
    slot.refresh_from_db()
    assert slot.case_id != before and slot.case.theme_id == slot.theme_id

    rounds.round_allocate(audit_round=audit_round, by=manager)
    loads = Counter(Audit.objects.filter(round=audit_round).values_list("auditor_id", flat=True))
    assert sorted(loads.values()) == [3, 3, 4]
    assert set(loads) == {a.pk for a in auditors}
    # Not visible to the auditors while the round is a draft.
    assert not any(selectors.auditor_audits(a).exists() for a in auditors)
    draft_audit = Audit.objects.filter(round=audit_round).first()
    with pytest.raises(Http404):
        selectors.audit_for_auditor(draft_audit.auditor, draft_audit.pk)

    with django_capture_on_commit_callbacks(execute=True):
        rounds.round_open(audit_round=audit_round, by=manager)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.email for a in auditors)
    assert all("REF-" not in m.body for m in mail.outbox), "the email names no case"

    with pytest.raises(ValidationError, match="before it opens"):
        rounds.slot_swap(slot=slot, by=manager)
    with pytest.raises(ValidationError, match="Confirm"):
        rounds.round_close(audit_round=audit_round, by=manager, confirm_unfinished=False)
    assert audit_round.__class__.objects.get(pk=audit_round.pk).state == RoundState.OPEN
    closed = rounds.round_close(audit_round=audit_round, by=manager, confirm_unfinished=True)
    assert closed.state == RoundState.CLOSED
    assert closed.closed_by == manager and closed.closed_unfinished == 10


@pytest.mark.django_db
def test_allocation_avoids_the_auditors_own_team(west, manager):
    teams = list(west.teams.order_by("pk"))
    own = factories.StaffMemberFactory(team=teams[0], force=west.force)
    auditor = factories.user_with_role(Role.AUDITOR, west, staff_member=own)
    other = factories.user_with_role(Role.AUDITOR, west)
    audit_round = draft_round(west, manager)
    month = rounds.candidate_month(audit_round)
    da, cse = CaseTheme.objects.filter(code__in=["DA", "CSE"]).order_by("code")
    factories.CaseFactory(area=west, theme=da, team=teams[0], occurred_on=month)
    factories.CaseFactory(area=west, theme=cse, team=teams[1], occurred_on=month)
    rounds.round_select(audit_round=audit_round, by=manager, seed=5)
    rounds.round_allocate(audit_round=audit_round, by=manager)
    by_team = dict(Audit.objects.filter(round=audit_round).values_list("case__team", "auditor"))
    assert by_team[teams[0].pk] == other.pk
    assert by_team[teams[1].pk] == auditor.pk


@pytest.mark.django_db
def test_only_the_areas_manager_runs_its_rounds(west, manager):
    audit_round = draft_round(west, manager)
    south_manager = factories.user_with_role(Role.AUDIT_MANAGER, Area.objects.get(code="south"))
    leader = factories.user_with_role(Role.SENIOR_LEADER, west)
    for user in (south_manager, leader):
        with pytest.raises(PermissionDenied):
            rounds.round_select(audit_round=audit_round, by=user)
    with pytest.raises(PermissionDenied):
        draft_round(Area.objects.get(code="south"), manager)
    with pytest.raises(ValidationError, match="already has a round"):
        draft_round(west, manager)


@pytest.mark.django_db
def test_an_inspector_runs_a_round_of_their_own_kept_apart(west, manager):
    inspector = factories.user_with_role(Role.INSPECTOR, None, force=west.force)
    month = next_month()
    monthly = draft_round(west, manager, month)
    inspection = rounds.round_create(
        area=west,
        month=month,
        due_date=add_months(month, 1),
        by=inspector,
        kind=RoundKind.INSPECTION,
        cases_per_theme=3,
    )
    assert monthly.pk != inspection.pk
    candidate_cases(west, rounds.candidate_month(inspection), per_theme=3)
    slots = rounds.round_select(audit_round=inspection, by=inspector, seed=11)
    assert len(slots) == 30
    assert SelectionSlot.objects.filter(round=inspection, case__isnull=False).count() == 30
    with pytest.raises(PermissionDenied):
        rounds.round_select(audit_round=inspection, by=manager)
    rounds.round_allocate(audit_round=inspection, by=inspector)
    assert set(Audit.objects.filter(round=inspection).values_list("auditor", flat=True)) == {
        inspector.pk
    }


@pytest.mark.django_db
def test_overdue_audits_are_flagged_once_to_manager_and_moderator(
    west, manager, django_capture_on_commit_callbacks
):
    moderator = factories.user_with_role(Role.MODERATOR, west)
    factories.user_with_role(Role.MODERATOR, Area.objects.get(code="south"))
    past = add_months(current_month(), -1)
    audit = factories.AuditFactory(
        round__area=west, round__month=past, round__due_date=past, state=AuditState.IN_PROGRESS
    )
    factories.AuditFactory(
        round=audit.round, state=AuditState.SUBMITTED, submitted_at=timezone.now(), grade="good"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert rounds.overdue_audits_flag() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([manager.email, moderator.email])
    assert rounds.overdue_audits_flag() == 0
