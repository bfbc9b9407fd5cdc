"""Demo data: one user per role per area, and rounds of ten cases with audits at every stage.

Everything is made reproducibly from a fixed seed and only once: running it again changes nothing
but the demo passwords, which it sets back to the printed one.
"""

from __future__ import annotations

import datetime
import hashlib
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from audit_app.audits.grading import GivenAnswer, Rule, suggest_grade
from audit_app.audits.models import (
    Answer,
    AnswerValue,
    Audit,
    AuditRound,
    AuditState,
    Case,
    FindingTheme,
    Grade,
    Moderation,
    ModerationDecision,
    QuestionSet,
    RoundState,
    SafeguardingEscalation,
)
from audit_app.audits.selectors import questions_for_theme
from audit_app.audits.services import current_question_set
from audit_app.feedback.models import (
    AcknowledgedVia,
    Feedback,
    FeedbackMethod,
    FeedbackRole,
    FeedbackState,
)
from audit_app.models import Area, Force, Role, RoleAssignment, StaffMember, Team, User
from audit_app.models.reference import CaseTheme
from audit_app.months import add_months, current_month
from audit_app.reports.demo import build_reports_demo
from recommendations.demo import build_recommendations_demo

DEMO_PASSWORD = "case-audit-demo"  # noqa: S105 - printed to the person running the demo
SEED = 2018

# How far along each of a round's ten audits is, in theme order, for the current month.
CURRENT_MONTH_STATES = [
    AuditState.MODERATED,
    AuditState.MODERATED,
    AuditState.MODERATED,
    AuditState.SUBMITTED,
    AuditState.SUBMITTED,
    AuditState.RETURNED,
    AuditState.IN_PROGRESS,
    AuditState.IN_PROGRESS,
    AuditState.NOT_STARTED,
    AuditState.NOT_STARTED,
]
PAST_MONTHS = 2

COMMENTS = {
    AnswerValue.PARTLY: "Done, but late or incomplete; see the log entries for the detail.",
    AnswerValue.NO: "Not done and no rationale recorded.",
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    scope: str


def _user(
    username: str,
    first: str,
    last: str,
    force: Force,
    role: str,
    area: Area | None,
    password_hash: str,
) -> DemoLogin:
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.police.uk"},
    )
    # One hash for every demo user: hashing is slow on purpose.
    user.password = password_hash
    user.save(update_fields=["password"])
    RoleAssignment.objects.get_or_create(user=user, role=role, force=force, area=area)
    return DemoLogin(username, Role(role).label, area.name if area else "Whole force")


# (username suffix, first name, last name suffix, role) for each area, then force-wide users.
AREA_USERS = [
    ("auditor", "Alex", "(Ch Insp)", Role.AUDITOR),
    ("auditor2", "Sam", "(Ch Insp)", Role.AUDITOR),
    ("moderator", "Jo", "(DI)", Role.MODERATOR),
    ("leader", "Chris", "(Det Supt)", Role.SENIOR_LEADER),
    ("manager", "Pat", "(PPU)", Role.AUDIT_MANAGER),
]
FORCE_USERS = [
    ("force.manager", "Robin", "PPU", Role.AUDIT_MANAGER),
    ("force.leader", "Morgan", "(Head of Safeguarding)", Role.SENIOR_LEADER),
    ("hmicfrs.inspector", "Lee", "(HMICFRS)", Role.INSPECTOR),
]


def _users(force: Force) -> tuple[list[DemoLogin], dict[int, list[User]], dict[int, User]]:
    hashed = make_password(DEMO_PASSWORD)
    logins: list[DemoLogin] = []
    auditors: dict[int, list[User]] = {}
    moderators: dict[int, User] = {}
    for area in force.areas.order_by("pk"):
        for suffix, first, last, role in AREA_USERS:
            username = f"{area.code}.{suffix}"
            logins.append(_user(username, first, f"{area.name} {last}", force, role, area, hashed))
        auditors[area.pk] = list(
            User.objects.filter(
                role_assignments__role=Role.AUDITOR, role_assignments__area=area
            ).order_by("username")
        )
        moderators[area.pk] = User.objects.get(username=f"{area.code}.moderator")
    for username, first, last, role in FORCE_USERS:
        logins.append(_user(username, first, last, force, role, None, hashed))
    return logins, auditors, moderators


# Made-up names for the demo's officers and staff, picked by staff number (so the same person has
# the same name however often the demo is built), with addresses at the demo's example domain.
FIRST_NAMES = (
    "Amira", "Ben", "Callum", "Dana", "Ellis", "Farah", "Gareth", "Hannah", "Imran", "Jodie",
    "Kieran", "Leah", "Marcus", "Nadia", "Owen", "Priya", "Rhys", "Sophie", "Tariq", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Ashworth", "Bradshaw", "Cartwright", "Dewhurst", "Entwistle", "Fairclough", "Greenhalgh",
    "Hargreaves", "Ingham", "Kershaw", "Livesey", "Marsden", "Nuttall", "Pilling", "Rawcliffe",
    "Sutcliffe", "Tomlinson", "Walmsley",
)  # fmt: skip
DEMO_EMAIL_DOMAIN = "example.police.uk"


def _made_up_name(identifier: str) -> tuple[str, str]:
    digest = hashlib.sha256(identifier.encode()).digest()
    return FIRST_NAMES[digest[0] % len(FIRST_NAMES)], LAST_NAMES[digest[1] % len(LAST_NAMES)]


def _person(
    force: Force, identifier: str, rank: str, team: Team, manager: StaffMember | None
) -> StaffMember:
    """A person of the directory, with a name, an email, a team and a line manager."""
    first, last = _made_up_name(identifier)
    details = {
        "name": f"{first} {last}",
        "rank": rank,
        "team": team,
        "email": f"{first}.{last}.{identifier}@{DEMO_EMAIL_DOMAIN}".lower(),
        "line_manager": manager,
    }
    person, created = StaffMember.objects.get_or_create(
        force=force, identifier=identifier, defaults=details
    )
    if not created and not person.email:  # made by an older demo, before the directory
        for name, value in details.items():
            setattr(person, name, value)
        person.save()
    return person


def _staff(force: Force, team: Team, rng: random.Random) -> tuple[StaffMember, StaffMember]:
    """A case's officer and supervisor: officer -> their sergeant (DS or PS) -> the inspector."""
    specialist = team.team_type == "specialist"
    inspector = _person(force, f"{team.pk:02d}00", "DI" if specialist else "Insp", team, None)
    supervisor = _person(
        force, f"{team.pk:02d}0{team.area_id}", "DS" if specialist else "PS", team, inspector
    )
    officer = _person(force, f"{team.pk:02d}{rng.randint(100, 999)}", "PC", team, supervisor)
    return officer, supervisor


# The teams that handle each case theme, so a demo case sits where a police reader expects it
# (no online-abuse case in custody). Codes are the fixture's; a force without them falls back to
# any of its teams.
THEME_TEAMS = {
    "DA": ("response", "vulnerability-hub", "neighbourhood"),
    "MISS": ("response", "neighbourhood", "control-room"),
    "CSE": ("cse",),
    "ONL": ("online",),
    "S46": ("response", "child-protection"),
    "CUST": ("custody",),
    "REF": ("child-protection", "control-room", "response"),
    "CAI": ("child-protection", "vulnerability-hub"),
    "RISK": ("offender-management",),
}
# Auditors are chief inspectors, uniformed and detective, each with a home team in their area.
AUDITOR_TEAMS = (
    ("Ch Insp", "response"),
    ("DCI", "vulnerability-hub"),
    ("Ch Insp", "neighbourhood"),
)


def _teams_for(theme: CaseTheme, teams: list[Team]) -> list[Team]:
    codes = THEME_TEAMS.get(theme.code)
    handling = [t for t in teams if codes is None or t.code in codes]
    return handling or teams


def _moderation_themes(
    finding_themes: list[FindingTheme], failed: set[str], rng: random.Random
) -> list[FindingTheme]:
    """Up to two finding themes, only ones a failed (Partly or No) question of the case maps to."""
    fitting = [t for t in finding_themes if failed & set(t.evidence_question_codes or ())]
    return rng.sample(fitting, k=min(2, len(fitting)))


def _auditors_staff(force: Force, auditors: dict[int, list[User]]) -> None:
    """Each demo auditor's own staff record, in a team of their area, so allocation keeps them
    off that team's cases and feedback can name them."""
    for area_id, users in auditors.items():
        teams = {t.code: t for t in Team.objects.filter(area_id=area_id).order_by("pk")}
        fallback = list(teams.values())
        for index, user in enumerate(users):
            if user.staff_member_id:
                continue
            identifier = f"A{area_id:02d}{index + 1:02d}"
            rank, code = AUDITOR_TEAMS[index % len(AUDITOR_TEAMS)]
            team = teams.get(code) or fallback[index % len(fallback)]
            user.staff_member = _person(force, identifier, rank, team, None)
            user.save(update_fields=["staff_member"])


def _answer(
    audit: Audit, rng: random.Random, sections_done: int | None, failed: set[str] | None = None
) -> list[GivenAnswer]:
    """Random answers; the codes of questions answered Partly or No are added to `failed`."""
    given = []
    questions = list(questions_for_theme(audit.question_set_id, audit.case.theme_id))
    section_codes = sorted({q.section.code for q in questions})
    keep = set(section_codes if sections_done is None else section_codes[:sections_done])
    weights = (
        [AnswerValue.YES] * 6
        + [AnswerValue.PARTLY] * 2
        + [AnswerValue.NO, AnswerValue.NOT_APPLICABLE]
    )
    answers = []
    for question in questions:
        if question.section.code not in keep:
            continue
        value = rng.choice(weights)
        answers.append(
            Answer(audit=audit, question=question, value=value, comment=COMMENTS.get(value, ""))
        )
        given.append(GivenAnswer(value=value, is_critical=question.is_critical))
        if failed is not None and value in (AnswerValue.PARTLY, AnswerValue.NO):
            failed.add(question.code)
    Answer.objects.bulk_create(answers)
    return given


def _round(
    area: Area,
    month: datetime.date,
    states: list[str],
    auditors: list[User],
    moderator: User,
    question_set: QuestionSet,
    rules: list[Rule],
    rng: random.Random,
) -> AuditRound | None:
    if AuditRound.objects.filter(area=area, month=month, kind="monthly").exists():
        return None
    now = timezone.now()
    is_current = month == current_month()
    audit_round = AuditRound.objects.create(
        area=area,
        month=month,
        state=RoundState.OPEN if is_current else RoundState.CLOSED,
        due_date=add_months(month, 1) - datetime.timedelta(days=1),
        selection_seed=rng.randint(1, 2**31),
        opened_at=now,
        closed_at=None if is_current else now,
    )
    teams = list(area.teams.order_by("pk"))
    themes = list(CaseTheme.objects.order_by("display_order"))
    finding_themes = list(FindingTheme.objects.filter(is_controlled=True))
    for index, (theme, state) in enumerate(zip(themes, states, strict=True)):
        handling = _teams_for(theme, teams)
        team = handling[(index + month.month) % len(handling)]
        officer, supervisor = _staff(area.force, team, rng)
        case = Case.objects.create(
            area=area,
            reference=f"{area.code[0].upper()}{month:%y%m}-{index + 1:04d}",
            theme=theme,
            team=team,
            station=f"{area.name} station {index % 3 + 1}",
            officer_in_case=officer,
            supervisor=supervisor,
            occurred_on=month - datetime.timedelta(days=30 + index),
        )
        audit = Audit.objects.create(
            round=audit_round,
            case=case,
            auditor=auditors[index % len(auditors)],
            question_set=question_set,
        )
        if state == AuditState.NOT_STARTED:
            continue
        partial = state == AuditState.IN_PROGRESS
        failed: set[str] = set()
        given = _answer(audit, rng, sections_done=2 if partial else None, failed=failed)
        audit.started_at = now
        audit.revision = 1
        if partial:
            audit.state = AuditState.IN_PROGRESS
            audit.save()
            continue
        suggestion = suggest_grade(given, rules)
        audit.suggested_grade = suggestion
        audit.grade = suggestion
        audit.good_practice = "Clear supervisory direction recorded within a day."
        audit.areas_for_improvement = "Record the child's own words at first contact."
        audit.submitted_at = now
        audit.state = state
        if state == AuditState.MODERATED:
            audit.moderated_at = now
            changed = index == 1 and suggestion != Grade.INADEQUATE
            agreed_grade = Grade.INADEQUATE if changed else suggestion
            audit.moderated_grade = agreed_grade
            moderation = Moderation.objects.create(
                audit=audit,
                moderator=moderator,
                auditor=audit.auditor,
                decision=ModerationDecision.CHANGED if changed else ModerationDecision.AGREED,
                original_grade=suggestion,
                agreed_grade=agreed_grade,
                reason="Supervision was absent for six weeks; the child was left at risk."
                if changed
                else "",
                good_practice_to_publicise=index == 0,
            )
            moderation.themes.set(_moderation_themes(finding_themes, failed, rng))
        elif state == AuditState.RETURNED:
            Moderation.objects.create(
                audit=audit,
                moderator=moderator,
                auditor=audit.auditor,
                decision=ModerationDecision.RETURNED,
                original_grade=suggestion,
                comments="Section F: say which supervisory entries you relied on.",
            )
        audit.save()
        if is_current and index == 3 and area.code == "west":
            SafeguardingEscalation.objects.create(
                audit=audit,
                raised_by=audit.auditor,
                concern="The suspect still lives with the child and no bail conditions were set.",
                respond_by=now + datetime.timedelta(days=1),
            )
    return audit_round


CANDIDATES_PER_THEME = 3


def _next_round_with_candidates(
    area: Area, this_month: datetime.date, manager: User, rng: random.Random
) -> None:
    """Next month's round, still a draft, and this month's cases to select it from."""
    next_month = add_months(this_month, 1)
    if AuditRound.objects.filter(area=area, month=next_month, kind="monthly").exists():
        return
    teams = list(area.teams.order_by("pk"))
    themes = list(CaseTheme.objects.order_by("display_order"))
    cases = []
    for index, theme in enumerate(themes):
        for n in range(CANDIDATES_PER_THEME):
            cases.append(
                Case(
                    area=area,
                    reference=f"{area.code[0].upper()}{this_month:%y%m}-C{index * 10 + n:03d}",
                    theme=theme,
                    team=rng.choice(_teams_for(theme, teams)),
                    station=f"{area.name} station {rng.randint(1, 3)}",
                    occurred_on=this_month + datetime.timedelta(days=rng.randrange(28)),
                )
            )
    Case.objects.bulk_create(cases)
    AuditRound.objects.create(
        area=area,
        month=next_month,
        due_date=add_months(next_month, 1) - datetime.timedelta(days=1),
        force_interest_theme=CaseTheme.objects.filter(is_force_interest=True).first(),
        created_by=manager,
    )


@transaction.atomic
def build_demo(today: datetime.date | None = None) -> list[DemoLogin]:
    force = Force.objects.get(code="lancashire")
    question_set = current_question_set()
    rules = [Rule(r.answer, r.scope, r.suggests) for r in question_set.suggestion_rules.all()]
    logins, auditors, moderators = _users(force)
    _auditors_staff(force, auditors)
    this_month = current_month(today)
    for area in force.areas.order_by("pk"):
        rng = random.Random(f"{SEED}-{area.code}")  # noqa: S311 - demo data, not security
        for months_back in range(PAST_MONTHS, -1, -1):
            month = add_months(this_month, -months_back)
            states = CURRENT_MONTH_STATES if months_back == 0 else [AuditState.MODERATED] * 10
            _round(
                area,
                month,
                states,
                auditors[area.pk],
                moderators[area.pk],
                question_set,
                rules,
                rng,
            )
        manager = User.objects.get(username=f"{area.code}.manager")
        _next_round_with_candidates(area, this_month, manager, rng)
    _feedback(force, this_month)
    build_recommendations_demo(force, today)
    build_reports_demo(force, today)
    return logins


def _feedback(force: Force, this_month: datetime.date) -> None:
    """Earlier months' feedback given and mostly acknowledged; this month's still owed, so the
    moderators' home pages have some to give. No email is sent: the demo records the outcome."""
    audits = (
        Audit.objects.filter(
            round__area__force=force, state=AuditState.MODERATED, round__month__lt=this_month
        )
        .exclude(feedback__isnull=False)
        .select_related("case", "round__area")
        .order_by("pk")
    )
    moderators = {
        user.username: user for user in User.objects.filter(username__endswith=".moderator")
    }
    records = []
    for index, audit in enumerate(audits):
        moderator = moderators[f"{audit.round.area.code}.moderator"]
        moderated_on = timezone.localtime(audit.moderated_at).date()
        for role, recipient in (
            (FeedbackRole.OFFICER, audit.case.officer_in_case),
            (FeedbackRole.SUPERVISOR, audit.case.supervisor),
        ):
            if recipient is None:
                continue
            outcome = index % 7
            record = Feedback(
                audit=audit,
                recipient=recipient,
                recipient_role=role,
                good_practice=audit.good_practice,
                areas_for_improvement=audit.areas_for_improvement,
                drafted_by=moderator,
                given_by=moderator,
            )
            if outcome == 0:  # given face to face at a team briefing
                record.state, record.method = FeedbackState.GIVEN, FeedbackMethod.IN_PERSON
                record.given_on = moderated_on
            else:
                record.state, record.method = FeedbackState.SENT, FeedbackMethod.EMAIL
                record.sent_at = audit.moderated_at
                if outcome != 1:  # one in seven not yet acknowledged
                    record.state = FeedbackState.ACKNOWLEDGED
                    record.acknowledged_on = moderated_on
                    record.acknowledged_via = AcknowledgedVia.LINK
            records.append(record)
    Feedback.objects.bulk_create(records)
