"""Small builders shared by several test modules (a test module never imports another).

- Reports: moderated audits by plan (`Planned`, `build_month`, `build_months`), a ready report
  version with a stand-in PDF, and a report request of `MONTH`.
- Audits: `graded_audit` (the analysts' API), `audited` (coverage), `make_audit` (the evidence
  behind recommendations, with answers by question code).
- Rounds: a case import upload (`HEADER`, `GOOD`, `csv_upload`) and `candidate_cases`.
- The 2017 recommendations' seed document (`SEED`, `normalise`).
- Browser tests: `sign_in` and `assert_accessible`.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import itertools
import os
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

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
    RoundKind,
    RoundState,
)
from audit_app.models import Area, Force, Role, Team, TeamType, User
from audit_app.models.reference import CaseTheme
from audit_app.months import add_months, current_month
from audit_app.reports import services as report_services
from audit_app.reports.models import PvpReport, PvpReportVersion, ReportState
from tests import factories

# The month the builders default to (the report task and evidence tests work in it).
MONTH = datetime.date(2026, 3, 1)


# --- Moderated audits by plan, for the reports ----------------------------------------------------

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


# --- Report versions and requests -----------------------------------------------------------------


def ready_version(
    force: Force, area: Area | None, month: datetime.date | None = None, number: int = 1
) -> PvpReportVersion:
    """A ready version of the report of `month` (last month by default), with a stand-in PDF and
    no compiled content."""
    month = month or add_months(current_month(), -1)
    report, _ = PvpReport.objects.get_or_create(force=force, area=area, month=month)
    pdf = f"%PDF-1.7 report {report.pk} v{number}".encode()
    version = PvpReportVersion(report=report, number=number, state=ReportState.READY)
    version.file.save(f"reports/test-{report.pk}-{number}.pdf", ContentFile(pdf), save=False)
    version.size, version.sha256 = len(pdf), hashlib.sha256(pdf).hexdigest()
    version.content = {}
    version.save()
    PvpReport.objects.filter(pk=report.pk).update(current=version, last_version=number)
    return version


def request_report(
    area: Area, by=None, month: datetime.date = MONTH
) -> report_services.ReportRequest:
    """The area's report of `month` asked for, as the monthly schedule or a user asks."""
    return report_services.report_request(force=area.force, area=area, month=month, by=by)


# --- Audits ---------------------------------------------------------------------------------------


def graded_audit(area, grade, moderated_grade="", theme="DA", month=None, team_index=0, **kwargs):
    month = month or current_month()
    kind = kwargs.pop("kind", RoundKind.MONTHLY)
    audit_round = factories.AuditRoundFactory._meta.model.objects.filter(
        area=area, month=month, kind=kind
    ).first() or factories.AuditRoundFactory(area=area, month=month, kind=kind)
    return factories.AuditFactory(
        round=audit_round,
        case__area=area,
        case__theme=CaseTheme.objects.get(code=theme),
        case__team=list(area.teams.order_by("pk"))[team_index],
        question_set=QuestionSet.objects.get(version=1),
        state=AuditState.MODERATED if moderated_grade else AuditState.SUBMITTED,
        grade=grade,
        moderated_grade=moderated_grade,
        submitted_at=timezone.now(),
        **kwargs,
    )


def audited(
    area: Area,
    theme: str,
    team_code: str,
    months_ago: int,
    *,
    state: str = RoundState.CLOSED,
    kind: str = RoundKind.MONTHLY,
) -> Audit:
    """One audit of a case of `theme` from the area's team, in a round `months_ago` back."""
    month = add_months(current_month(), -months_ago)
    audit_round = AuditRound.objects.filter(area=area, month=month, kind=kind).first()
    if audit_round is None:
        audit_round = factories.AuditRoundFactory(area=area, month=month, state=state, kind=kind)
    return factories.AuditFactory(
        round=audit_round,
        case__area=area,
        case__theme=CaseTheme.objects.get(code=theme),
        case__team=area.teams.get(code=team_code),
        case__occurred_on=add_months(month, -1),
        question_set=QuestionSet.objects.get(version=1),
    )


COMMENT = "Seen in the log."  # make_audit's comment on a "partly" or "no"


def round_for(area: Area, month: datetime.date, kind: str = RoundKind.MONTHLY) -> AuditRound:
    if kind == RoundKind.MONTHLY:
        found = AuditRound.objects.filter(area=area, month=month, kind=kind).first()
        if found:
            return found
    return factories.AuditRoundFactory(area=area, month=month, kind=kind)


def make_audit(
    *,
    area: Area,
    month: datetime.date = MONTH,
    theme: str = "DA",
    answers: dict[str, str],
    state: str = AuditState.SUBMITTED,
    grade: str = Grade.GOOD,
    agreed: str | None = None,
    kind: str = RoundKind.MONTHLY,
    question_set: QuestionSet | None = None,
) -> Audit:
    """An audit of a case of `theme` in `area`'s round of `month`, with `answers` by question
    code; moderated (agreed, or changed to `agreed`) when `state` is moderated."""
    question_set = question_set or QuestionSet.objects.get(version=1)
    graded = state in (AuditState.SUBMITTED, AuditState.MODERATED)
    audit = factories.AuditFactory(
        round=round_for(area, month, kind),
        case__area=area,
        case__theme=CaseTheme.objects.get(code=theme),
        case__team=area.teams.first(),
        question_set=question_set,
        state=state,
        grade=grade if graded else "",
        submitted_at=timezone.now() if graded else None,
        moderated_at=timezone.now() if state == AuditState.MODERATED else None,
    )
    questions = {q.code: q for q in question_set.questions.filter(code__in=list(answers))}
    Answer.objects.bulk_create(
        Answer(
            audit=audit,
            question=questions[code],
            value=value,
            comment=COMMENT if value in (AnswerValue.PARTLY, AnswerValue.NO) else "",
        )
        for code, value in answers.items()
    )
    if state == AuditState.MODERATED:
        final = agreed or grade
        Moderation.objects.create(
            audit=audit,
            moderator=factories.UserFactory(),
            auditor=audit.auditor,
            decision=ModerationDecision.CHANGED if final != grade else ModerationDecision.AGREED,
            original_grade=grade,
            agreed_grade=final,
            reason="Supervision only acknowledged." if final != grade else "",
        )
    return audit


# --- Rounds: imports and candidates ---------------------------------------------------------------

HEADER = [
    "reference", "theme", "area", "team", "station",
    "officer_in_case", "supervisor", "occurred_on", "closed_on",
]  # fmt: skip
GOOD = ["WE-1001", "DA", "west", "response", "Preston", "4521", "PS88", "2026-10-03", ""]


def csv_upload(rows: list[list[str]], header: list[str] = HEADER, name="cases.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def candidate_cases(area: Area, month: datetime.date, per_theme: int = 3) -> list[Case]:
    teams = list(area.teams.order_by("pk"))
    made = []
    for index, theme in enumerate(CaseTheme.objects.order_by("display_order")):
        for n in range(per_theme):
            made.append(
                factories.CaseFactory(
                    area=area,
                    theme=theme,
                    team=teams[(index + n) % len(teams)],
                    station=f"Station {n}",
                    occurred_on=month + datetime.timedelta(days=index + n),
                )
            )
    return made


# --- The 2017 recommendations' seed document ------------------------------------------------------

SEED = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "seeds"
    / "hmicfrs-2019-lancashire-ncpi-post-inspection-review.txt"
)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def read_seed(path: Path = SEED) -> str:
    """A seed document's text, read from ../shared/seeds beside the project. Where it is missing
    the test skips, except where the run requires everything (REQUIRE_SERVICES=1, as in CI),
    where it fails: a comparison with the source must not pass by not running."""
    if not path.exists():
        reason = f"the seed document is not beside the project ({path})"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return path.read_text(encoding="utf-8")


# --- Browser tests --------------------------------------------------------------------------------

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    }
}


def assert_accessible(page, axe, what: str) -> None:
    results = axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


def sign_in(page, username: str, password: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def pdf_text(data: bytes) -> str:
    """Every page's text of a PDF with runs of whitespace made single spaces, so wrapped lines
    join."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
