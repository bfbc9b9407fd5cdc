"""A round's life: creating it, selecting its cases, allocating them, opening and closing it.

Selection is random but reproducible: the seed is stored on the round, and the same seed over the
same candidates gives the same cases. `plan_selection` is a pure function, so its promises (one
case per theme where one is eligible, never a case twice, teams spread evenly) are tested as
properties with hypothesis.
"""

from __future__ import annotations

import datetime
import logging
import random
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from audit_app.audits.models import GRADED_STATES, Audit, AuditRound, Case, RoundKind, RoundState
from audit_app.audits.services import current_question_set
from audit_app.dates import plausible_date_problem
from audit_app.directory.selectors import management_chain_ids
from audit_app.models import Area, Role, User
from audit_app.models.reference import CaseTheme
from audit_app.months import add_months
from audit_app.notifications.services import notification_queue
from audit_app.permissions import areas_for
from audit_app.rounds.models import SelectionSlot

logger = logging.getLogger(__name__)

MAX_CASES_PER_THEME = 5


# Selection -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    case_id: int
    team_id: int
    station: str


def plan_selection(
    pools: Sequence[Sequence[Candidate]], seed: int, already_chosen: Sequence[int] = ()
) -> list[Candidate | None]:
    """One candidate per slot, or None where the slot's pool is exhausted.

    The slots with the fewest candidates choose first, so a scarce theme is not starved by a
    plentiful one. Each slot chooses among its candidates from the teams, then the stations, picked
    least so far in this round, at random (seeded) among those. Pools may overlap (the
    force-interest slot may share a theme); a case is never chosen twice.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible sampling, not security
    chosen_ids = set(already_chosen)
    team_counts: Counter[int] = Counter()
    station_counts: Counter[str] = Counter()
    result: list[Candidate | None] = [None] * len(pools)
    for index in sorted(range(len(pools)), key=lambda i: (len(pools[i]), i)):
        pool = [c for c in pools[index] if c.case_id not in chosen_ids]
        if not pool:
            continue
        fewest_team = min(team_counts[c.team_id] for c in pool)
        pool = [c for c in pool if team_counts[c.team_id] == fewest_team]
        fewest_station = min(station_counts[c.station] for c in pool)
        pool = sorted(
            (c for c in pool if station_counts[c.station] == fewest_station),
            key=lambda c: c.case_id,
        )
        pick = rng.choice(pool)
        result[index] = pick
        chosen_ids.add(pick.case_id)
        team_counts[pick.team_id] += 1
        station_counts[pick.station] += 1
    return result


def candidate_month(audit_round: AuditRound) -> datetime.date:
    """Cases recorded in the month before the round's month are audited in it."""
    return add_months(audit_round.month, -1)


def eligible_cases(area_id: int, theme_id: int, month: datetime.date) -> QuerySet[Case]:
    """Cases of the theme recorded in the month that were never audited nor selected before."""
    return Case.objects.filter(
        area_id=area_id,
        theme_id=theme_id,
        occurred_on__gte=month,
        occurred_on__lt=add_months(month, 1),
        audits__isnull=True,
        selection_slot__isnull=True,
    )


def _candidates(area_id: int, month: datetime.date) -> dict[int, list[Candidate]]:
    """Every eligible case of the month by theme, in one query."""
    by_theme: dict[int, list[Candidate]] = {}
    rows = (
        Case.objects.filter(
            area_id=area_id,
            occurred_on__gte=month,
            occurred_on__lt=add_months(month, 1),
            audits__isnull=True,
            selection_slot__isnull=True,
        )
        .order_by("pk")
        .values_list("theme_id", "pk", "team_id", "station")
    )
    for theme_id, case_id, team_id, station in rows:
        by_theme.setdefault(theme_id, []).append(Candidate(case_id, team_id, station))
    return by_theme


def _refuse_unless_manager(audit_round: AuditRound, by: User) -> None:
    roles = (Role.INSPECTOR,) if audit_round.kind == RoundKind.INSPECTION else (Role.AUDIT_MANAGER,)
    if not areas_for(by, roles).filter(pk=audit_round.area_id).exists():
        raise PermissionDenied("Only the round's audit manager may change it.")


def _refuse_unless_draft(audit_round: AuditRound) -> None:
    if audit_round.state != RoundState.DRAFT:
        raise ValidationError(
            f"The round is {audit_round.get_state_display().lower()}; cases can be selected, "
            "swapped and allocated only before it opens."
        )


def round_create(
    *,
    area: Area,
    month: datetime.date,
    due_date: datetime.date,
    by: User,
    kind: str = RoundKind.MONTHLY,
    cases_per_theme: int = 1,
    force_interest_theme: CaseTheme | None = None,
    force_interest_topic: str = "",
) -> AuditRound:
    roles = (Role.INSPECTOR,) if kind == RoundKind.INSPECTION else (Role.AUDIT_MANAGER,)
    if not areas_for(by, roles).filter(pk=area.pk).exists():
        raise PermissionDenied("You cannot create rounds for that area.")
    month = month.replace(day=1)
    # The form and the API check this too; here it holds for every caller, so no path can make
    # a round whose pages cannot be shown (the month before 0001-01 does not exist).
    if problem := plausible_date_problem(month):
        raise ValidationError(f"The round's month {problem}.")
    if problem := plausible_date_problem(due_date):
        raise ValidationError(f"The due date {problem}.")
    if due_date < month:
        raise ValidationError("The due date must fall in or after the round's month.")
    if kind == RoundKind.MONTHLY:
        cases_per_theme = 1
        if AuditRound.objects.filter(area=area, month=month, kind=RoundKind.MONTHLY).exists():
            raise ValidationError(f"{area.name} already has a round for {month:%B %Y}.")
    if not 1 <= cases_per_theme <= MAX_CASES_PER_THEME:
        raise ValidationError(f"Cases per theme must be between 1 and {MAX_CASES_PER_THEME}.")
    return AuditRound.objects.create(
        area=area,
        month=month,
        due_date=due_date,
        kind=kind,
        cases_per_theme=cases_per_theme,
        force_interest_theme=force_interest_theme
        or CaseTheme.objects.filter(is_force_interest=True).first(),
        force_interest_topic=force_interest_topic,
        created_by=by,
    )


@transaction.atomic
def round_select(
    *,
    audit_round: AuditRound,
    by: User,
    seed: int | None = None,
    force_interest_theme: CaseTheme | None = None,
    force_interest_topic: str | None = None,
) -> list[SelectionSlot]:
    """(Re)select the round's cases: one per theme, plus the force-interest case(s)."""
    audit_round = AuditRound.objects.select_for_update().get(pk=audit_round.pk)
    _refuse_unless_manager(audit_round, by)
    _refuse_unless_draft(audit_round)
    if audit_round.audits.exists():
        raise ValidationError("The cases are already allocated; swap single cases instead.")
    if force_interest_theme is not None:
        audit_round.force_interest_theme = force_interest_theme
    if force_interest_topic is not None:
        audit_round.force_interest_topic = force_interest_topic
    audit_round.selection_seed = seed if seed is not None else secrets.randbelow(2**31)
    audit_round.slots.all().delete()

    month = candidate_month(audit_round)
    themes = list(CaseTheme.objects.filter(is_active=True, is_force_interest=False))
    interest = audit_round.force_interest_theme or CaseTheme.objects.get(is_force_interest=True)
    slot_themes = [(t, False) for t in themes for _ in range(audit_round.cases_per_theme)]
    slot_themes += [(interest, True)] * audit_round.cases_per_theme
    candidates = _candidates(audit_round.area_id, month)
    pools = [candidates.get(theme.pk, []) for theme, _ in slot_themes]
    picks = plan_selection(pools, audit_round.selection_seed)
    slots = SelectionSlot.objects.bulk_create(
        SelectionSlot(
            round=audit_round,
            position=position,
            theme=theme,
            is_force_interest=is_interest,
            source_month=month,
            case_id=pick.case_id if pick else None,
            eligible_count=len(pool),
        )
        for position, ((theme, is_interest), pool, pick) in enumerate(
            zip(slot_themes, pools, picks, strict=True), start=1
        )
    )
    audit_round.selected_at = timezone.now()
    audit_round.selected_by = by
    audit_round.save()
    logger.info(
        "round %s selected with seed %s: %s of %s slots filled",
        audit_round.pk,
        audit_round.selection_seed,
        sum(1 for p in picks if p),
        len(picks),
    )
    return slots


def _slot_for_update(slot: SelectionSlot, by: User) -> SelectionSlot:
    slot = SelectionSlot.objects.select_for_update().select_related("round").get(pk=slot.pk)
    _refuse_unless_manager(slot.round, by)
    _refuse_unless_draft(slot.round)
    return slot


def _replace_case(slot: SelectionSlot, case_id: int | None) -> None:
    """Put another case (or none) in the slot, moving any allocation to the new case."""
    audit = Audit.objects.filter(round=slot.round, case_id=slot.case_id).first()
    old_case_id = slot.case_id
    slot.case_id = None
    slot.save(update_fields=["case"])
    if audit is not None:
        audit.delete()
    slot.case_id = case_id
    slot.save()
    if audit is not None and case_id is not None:
        Audit.objects.create(
            round=slot.round,
            case_id=case_id,
            auditor_id=audit.auditor_id,
            question_set=audit.question_set,
        )
    logger.info("round %s slot %s: case %s -> %s", slot.round_id, slot.pk, old_case_id, case_id)


@transaction.atomic
def slot_swap(*, slot: SelectionSlot, by: User, case: Case | None = None) -> SelectionSlot:
    """Swap the slot's case for another eligible one: the one given, or one drawn at random."""
    slot = _slot_for_update(slot, by)
    eligible = eligible_cases(slot.round.area_id, slot.theme_id, slot.source_month)
    if case is None:
        choices = list(eligible.order_by("pk").values_list("pk", flat=True))
        if not choices:
            raise ValidationError("There is no other eligible case for this theme and month.")
        rng = random.Random(f"{slot.round.selection_seed}-{slot.position}-{len(choices)}")  # noqa: S311
        case_id = rng.choice(choices)
    elif not eligible.filter(pk=case.pk).exists():
        raise ValidationError("That case is not eligible: wrong theme, area or month, or used.")
    else:
        case_id = case.pk
    _replace_case(slot, case_id)
    slot.empty_reason = ""
    slot.eligible_count = eligible.count() + 1
    slot.save()
    return slot


@transaction.atomic
def slot_draw_from_month(*, slot: SelectionSlot, by: User, month: datetime.date) -> SelectionSlot:
    """Fill an empty slot from a neighbouring month, when its own month had no eligible case."""
    slot = _slot_for_update(slot, by)
    usual = candidate_month(slot.round)
    month = month.replace(day=1)
    if month not in (add_months(usual, -1), add_months(usual, 1)):
        raise ValidationError(
            f"Choose {add_months(usual, -1):%B %Y} or {add_months(usual, 1):%B %Y}, "
            f"the months either side of {usual:%B %Y}."
        )
    choices = list(
        eligible_cases(slot.round.area_id, slot.theme_id, month)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not choices:
        raise ValidationError(f"There is no eligible case of this theme in {month:%B %Y} either.")
    rng = random.Random(f"{slot.round.selection_seed}-{slot.position}-{month:%Y%m}")  # noqa: S311
    _replace_case(slot, rng.choice(choices))
    slot.source_month = month
    slot.eligible_count = len(choices)
    slot.empty_reason = ""
    slot.save()
    return slot


@transaction.atomic
def slot_leave_empty(*, slot: SelectionSlot, by: User, reason: str) -> SelectionSlot:
    slot = _slot_for_update(slot, by)
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why the slot is left empty.")
    _replace_case(slot, None)
    slot.empty_reason = reason
    slot.save()
    return slot


# Allocation ------------------------------------------------------------------------------------


def round_auditors(audit_round: AuditRound) -> QuerySet[User]:
    """Who may audit the round's cases: the area's auditors, or the force's inspectors."""
    if audit_round.kind == RoundKind.INSPECTION:
        condition = Q(
            role_assignments__role=Role.INSPECTOR,
            role_assignments__force_id=audit_round.area.force_id,
        )
    else:
        condition = Q(
            role_assignments__role=Role.AUDITOR, role_assignments__area_id=audit_round.area_id
        )
    return (
        User.objects.filter(condition, is_active=True)
        .select_related("staff_member")
        .distinct()
        .order_by("username")
    )


@dataclass(frozen=True)
class CaseToAllocate:
    case_id: int
    team_id: int
    # The case's officer and supervisor, and everyone above either in line management.
    staff_ids: frozenset[int] = frozenset()
    managers_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class AuditorLoad:
    user_id: int
    team_id: int | None
    current: int = 0
    # The auditor's own staff record, and everyone above them in line management.
    staff_id: int | None = None
    managers_ids: frozenset[int] = frozenset()


def conflicts(case: CaseToAllocate, auditor: AuditorLoad) -> bool:
    """Whether the auditor should not audit the case, as the staff directory has it: their own
    team, their own case, or line management between them and the officer or supervisor (either
    way round)."""
    if auditor.team_id is not None and auditor.team_id == case.team_id:
        return True
    if auditor.staff_id is not None and (
        auditor.staff_id in case.staff_ids or auditor.staff_id in case.managers_ids
    ):
        return True
    return not case.staff_ids.isdisjoint(auditor.managers_ids)


def plan_allocation(
    cases: Sequence[CaseToAllocate], auditors: Sequence[AuditorLoad]
) -> dict[int, int]:
    """Case id -> auditor id: even counts, and nobody auditing their own team or line-management
    chain where avoidable (`conflicts`).

    Cases with the fewest auditors free of a conflict go first; each goes to the least-loaded
    auditor without a conflict, provided that auditor is under the even share; otherwise to the
    least-loaded auditor of all.
    """
    if not auditors:
        return {}
    total = len(cases) + sum(a.current for a in auditors)
    share = -(-total // len(auditors))  # ceiling
    load = {a.user_id: a.current for a in auditors}
    order = {a.user_id: i for i, a in enumerate(auditors)}

    def free_of_conflict(case: CaseToAllocate) -> list[AuditorLoad]:
        return [a for a in auditors if not conflicts(case, a)]

    plan: dict[int, int] = {}
    for case in sorted(cases, key=lambda c: (len(free_of_conflict(c)), c.case_id)):
        options = [a for a in free_of_conflict(case) if load[a.user_id] < share] or list(auditors)
        chosen = min(options, key=lambda a: (load[a.user_id], order[a.user_id]))
        plan[case.case_id] = chosen.user_id
        load[chosen.user_id] += 1
    return plan


@transaction.atomic
def round_allocate(*, audit_round: AuditRound, by: User) -> list[Audit]:
    """Create an audit for every selected case not yet allocated, spread over the auditors."""
    audit_round = (
        AuditRound.objects.select_for_update().select_related("area").get(pk=audit_round.pk)
    )
    _refuse_unless_manager(audit_round, by)
    _refuse_unless_draft(audit_round)
    auditors = list(round_auditors(audit_round))
    if not auditors:
        raise ValidationError("The area has no auditors to allocate cases to.")
    allocated = set(audit_round.audits.values_list("case_id", flat=True))
    slots = [
        s
        for s in audit_round.slots.filter(case__isnull=False).select_related("case")
        if s.case_id not in allocated
    ]
    if not slots:
        raise ValidationError("Every selected case is already allocated.")
    case_staff = {
        s.case_id: frozenset(
            pk for pk in (s.case.officer_in_case_id, s.case.supervisor_id) if pk is not None
        )
        for s in slots
    }
    auditor_staff = [u.staff_member_id for u in auditors if u.staff_member_id]
    chains = management_chain_ids(
        {pk for ids in case_staff.values() for pk in ids} | set(auditor_staff)
    )

    def above(ids: Iterable[int]) -> frozenset[int]:
        return frozenset(m for pk in ids for m in chains.get(pk, ()))

    cases = [
        CaseToAllocate(
            s.case_id, s.case.team_id, case_staff[s.case_id], above(case_staff[s.case_id])
        )
        for s in slots
    ]
    current = Counter(audit_round.audits.values_list("auditor_id", flat=True))
    plan = plan_allocation(
        cases,
        [
            AuditorLoad(
                u.pk,
                u.staff_member.team_id if u.staff_member else None,
                current.get(u.pk, 0),
                staff_id=u.staff_member_id,
                managers_ids=above([u.staff_member_id] if u.staff_member_id else []),
            )
            for u in auditors
        ],
    )
    question_set = current_question_set()
    audits = Audit.objects.bulk_create(
        Audit(round=audit_round, case_id=case_id, auditor_id=auditor_id, question_set=question_set)
        for case_id, auditor_id in plan.items()
    )
    logger.info("round %s: %s cases allocated", audit_round.pk, len(audits))
    return audits


@transaction.atomic
def audit_reassign(*, audit: Audit, to: User, by: User) -> Audit:
    """Give an unsubmitted audit to another of the round's auditors (told at once if open)."""
    audit = Audit.objects.select_for_update().select_related("round__area").get(pk=audit.pk)
    _refuse_unless_manager(audit.round, by)
    if audit.state in GRADED_STATES:
        raise ValidationError("A submitted audit cannot be given to another auditor.")
    if audit.round.state in (RoundState.CLOSED, RoundState.REPORTED):
        raise ValidationError("The round is closed.")
    if not round_auditors(audit.round).filter(pk=to.pk).exists():
        raise ValidationError("That person is not an auditor for this round.")
    if audit.auditor_id == to.pk:
        return audit
    audit.auditor = to
    audit.save(update_fields=["auditor", "updated_at"])
    if audit.round.state == RoundState.OPEN:
        _tell_auditor(audit.round, to, 1)
    return audit


def _tell_auditor(audit_round: AuditRound, auditor: User, count: int) -> None:
    # The email names no case: references are sensitive and the app shows them after sign-in.
    plural = "case" if count == 1 else "cases"
    notification_queue(
        recipient=auditor,
        subject=f"Case audit: {count} {plural} to audit for {audit_round}",
        body=(
            f"You have {count} {plural} to audit in {audit_round} ({audit_round.area.name}), "
            f"due by {audit_round.due_date:%d %B %Y}. Sign in to Case Audit to see them."
        ),
        link=reverse("my_audits"),
    )


# Lifecycle -------------------------------------------------------------------------------------


def round_readiness(audit_round: AuditRound) -> list[str]:
    """What stops the round from opening; empty when it may open."""
    problems = []
    slots = list(audit_round.slots.all())
    if not slots:
        problems.append("Select the round's cases.")
    unexplained = [s for s in slots if s.case_id is None and not s.empty_reason]
    if unexplained:
        problems.append(
            f"{len(unexplained)} slot(s) have no case: fill them from a neighbouring month or "
            "say why they stay empty."
        )
    allocated = set(audit_round.audits.values_list("case_id", flat=True))
    if any(s.case_id and s.case_id not in allocated for s in slots):
        problems.append("Allocate the selected cases to auditors.")
    return problems


@transaction.atomic
def round_open(*, audit_round: AuditRound, by: User) -> AuditRound:
    audit_round = (
        AuditRound.objects.select_for_update().select_related("area").get(pk=audit_round.pk)
    )
    _refuse_unless_manager(audit_round, by)
    _refuse_unless_draft(audit_round)
    if problems := round_readiness(audit_round):
        raise ValidationError(problems)
    audit_round.state = RoundState.OPEN
    audit_round.opened_at = timezone.now()
    audit_round.save(update_fields=["state", "opened_at"])
    counts = Counter(audit_round.audits.values_list("auditor_id", flat=True))
    for auditor in User.objects.filter(pk__in=counts):
        _tell_auditor(audit_round, auditor, counts[auditor.pk])
    logger.info("round %s opened by user %s", audit_round.pk, by.pk)
    return audit_round


def unfinished_audits(audit_round: AuditRound) -> QuerySet[Audit]:
    return audit_round.audits.exclude(state__in=GRADED_STATES)


@transaction.atomic
def round_close(*, audit_round: AuditRound, by: User, confirm_unfinished: bool) -> AuditRound:
    """Close an open round; with audits unfinished only when the manager confirms it."""
    audit_round = AuditRound.objects.select_for_update().get(pk=audit_round.pk)
    _refuse_unless_manager(audit_round, by)
    if audit_round.state != RoundState.OPEN:
        raise ValidationError("Only an open round can be closed.")
    unfinished = unfinished_audits(audit_round).count()
    if unfinished and not confirm_unfinished:
        raise ValidationError(
            f"{unfinished} audit(s) are not submitted. Confirm that you want to close the "
            "round with them unfinished."
        )
    audit_round.state = RoundState.CLOSED
    audit_round.closed_at = timezone.now()
    audit_round.closed_by = by
    audit_round.closed_unfinished = unfinished
    audit_round.save(update_fields=["state", "closed_at", "closed_by", "closed_unfinished"])
    logger.info("round %s closed by user %s with %s unfinished", audit_round.pk, by.pk, unfinished)
    return audit_round


def round_mark_reported(*, audit_round: AuditRound, by: User) -> AuditRound:
    _refuse_unless_manager(audit_round, by)
    if audit_round.state != RoundState.CLOSED:
        raise ValidationError("Only a closed round can be marked as reported.")
    audit_round.state = RoundState.REPORTED
    audit_round.save(update_fields=["state"])
    return audit_round


def overdue_audits_flag(today: datetime.date | None = None) -> int:
    """Tell each overdue audit's audit managers and moderators, once. Returns how many flagged."""
    today = today or timezone.localdate()
    overdue = list(
        Audit.objects.filter(
            round__state=RoundState.OPEN,
            round__due_date__lt=today,
            overdue_flagged_at__isnull=True,
        )
        .exclude(state__in=GRADED_STATES)
        .select_related("round__area", "auditor")
    )
    by_round: dict[int, list[Audit]] = {}
    for audit in overdue:
        by_round.setdefault(audit.round_id, []).append(audit)
    for audits in by_round.values():
        audit_round = audits[0].round
        recipients = User.objects.filter(
            Q(role_assignments__area_id=audit_round.area_id)
            | Q(
                role_assignments__area__isnull=True,
                role_assignments__force_id=audit_round.area.force_id,
            ),
            role_assignments__role__in=[Role.AUDIT_MANAGER, Role.MODERATOR],
            is_active=True,
        ).distinct()
        for recipient in recipients:
            notification_queue(
                recipient=recipient,
                subject=f"Case audit: {len(audits)} overdue in {audit_round}",
                body=(
                    f"{len(audits)} audit(s) in {audit_round} were due by "
                    f"{audit_round.due_date:%d %B %Y} and are not submitted. "
                    "Sign in to Case Audit to see which."
                ),
                link=reverse("round_detail", args=[audit_round.pk]),
            )
    Audit.objects.filter(pk__in=[a.pk for a in overdue]).update(overdue_flagged_at=timezone.now())
    if overdue:
        logger.info("flagged %s overdue audits in %s rounds", len(overdue), len(by_round))
    return len(overdue)


def slot_summary(audit_round: AuditRound) -> QuerySet[SelectionSlot]:
    return audit_round.slots.select_related("theme", "case__team").order_by("position")
