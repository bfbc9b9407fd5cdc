"""Builders of moderated audits for the report tests and the report benchmark, with a check that
what they build is what they say (so the report tests compare against real rows)."""

from __future__ import annotations

import datetime
import itertools
import random
from collections.abc import Iterable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from audit_app.models import (
    Area,
    Audit,
    AuditRound,
    AuditState,
    Case,
    CaseTheme,
    FindingTheme,
    Grade,
    Moderation,
    ModerationDecision,
    QuestionSet,
    Role,
    RoundKind,
    RoundState,
    Team,
    TeamType,
    User,
)
from recommendations.models import add_months
from tests import factories

GRADES = [Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE]
_references = itertools.count(1)


@dataclass(frozen=True)
class Planned:
    """One audit to build: its case theme, team type, grades and what the moderator recorded."""

    theme: str
    team_type: str = TeamType.SPECIALIST
    original: str = Grade.GOOD
    agreed: str | None = None  # None: the moderator agreed the original grade
    tags: tuple[str, ...] = ()
    publicise: bool = False
    good_practice: str = ""
    improvement: str = ""
    state: str = AuditState.MODERATED
    moderated_at: datetime.datetime | None = None


@dataclass
class People:
    auditor: User
    moderator: User
    question_set: QuestionSet


def people_for(area: Area) -> People:
    return People(
        auditor=factories.user_with_role(Role.AUDITOR, area),
        moderator=factories.user_with_role(Role.MODERATOR, area),
        question_set=QuestionSet.objects.order_by("version").first(),
    )


def build_month(
    *,
    area: Area,
    month: datetime.date,
    plan: Iterable[Planned],
    people: People,
    kind: str = RoundKind.MONTHLY,
) -> list[Audit]:
    """The area's round for `month` (made if missing) with one audit per planned item."""
    audit_round, _ = AuditRound.objects.get_or_create(
        area=area,
        month=month,
        kind=kind,
        defaults={
            "state": RoundState.CLOSED,
            "due_date": add_months(month, 1) - datetime.timedelta(days=1),
        },
    )
    themes = {theme.code: theme for theme in CaseTheme.objects.all()}
    teams = {team.team_type: team for team in Team.objects.filter(area=area).order_by("-pk")}
    finding = {theme.name: theme for theme in FindingTheme.objects.all()}
    now = timezone.now()
    audits = []
    for item in plan:
        case = Case.objects.create(
            area=area,
            reference=f"T-{area.code[:2].upper()}-{month:%y%m}-{next(_references):06d}",
            theme=themes[item.theme],
            team=teams[item.team_type],
            occurred_on=month - datetime.timedelta(days=20),
        )
        graded = item.state in (AuditState.SUBMITTED, AuditState.MODERATED, AuditState.RETURNED)
        audit = Audit.objects.create(
            round=audit_round,
            case=case,
            auditor=people.auditor,
            question_set=people.question_set,
            state=item.state,
            grade=item.original if graded else "",
            suggested_grade=item.original if graded else "",
            good_practice=item.good_practice,
            areas_for_improvement=item.improvement,
            submitted_at=now if graded else None,
            moderated_grade=(item.agreed or item.original)
            if item.state == AuditState.MODERATED
            else "",
            moderated_at=(item.moderated_at or now) if item.state == AuditState.MODERATED else None,
        )
        if item.state == AuditState.MODERATED:
            agreed = item.agreed or item.original
            moderation = Moderation.objects.create(
                audit=audit,
                moderator=people.moderator,
                auditor=people.auditor,
                decision=ModerationDecision.AGREED
                if agreed == item.original
                else ModerationDecision.CHANGED,
                original_grade=item.original,
                agreed_grade=agreed,
                reason="" if agreed == item.original else "Supervision did not add value.",
                good_practice_to_publicise=item.publicise,
            )
            if item.tags:
                moderation.themes.set([finding[name] for name in item.tags])
        audits.append(audit)
    return audits


def random_plan(rng: random.Random, count: int, finding_names: list[str]) -> list[Planned]:
    """`count` moderated audits spread over the ten themes, both team types and every grade."""
    codes = list(CaseTheme.objects.order_by("display_order").values_list("code", flat=True))
    plan = []
    for index in range(count):
        original = rng.choice(GRADES)
        agreed = rng.choice(GRADES) if rng.random() < 0.2 else original
        plan.append(
            Planned(
                theme=codes[index % len(codes)],
                team_type=rng.choice(TeamType.values),
                original=original,
                agreed=agreed,
                tags=tuple(rng.sample(finding_names, k=rng.randint(0, 3))),
                publicise=rng.random() < 0.15,
                good_practice="Supervisor set clear actions within a day of the referral."
                if rng.random() < 0.5
                else "",
                improvement="Record the rationale for the decision not to share with the MASH."
                if rng.random() < 0.6
                else "",
            )
        )
    return plan


def build_months(
    *, areas: list[Area], last_month: datetime.date, months: int, per_area: int, seed: int = 7
) -> None:
    """`months` months of moderated audits ending with `last_month`, `per_area` an area a month."""
    rng = random.Random(seed)
    finding_names = sorted(FindingTheme.objects.values_list("name", flat=True))
    for area in areas:
        people = people_for(area)
        for back in range(months - 1, -1, -1):
            month = add_months(last_month, -back)
            build_month(
                area=area,
                month=month,
                plan=random_plan(rng, per_area, finding_names),
                people=people,
            )


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
