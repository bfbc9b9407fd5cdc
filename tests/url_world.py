"""The demo world and the URL walk behind the tests that visit every route as someone it is for.

`build_world()` makes the records named by the rows of tests/permission_matrix.py (the demo, a
stranger, another force's audit manager, a draft round with its cases, an import, a token, a
report with a ready version), so a test walking the URL resolver can fill every route's
arguments and pick, from the matrix, a user who may open it. Build it once per module inside a
transaction that is rolled back (see `world_fixture`).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from audit_app import case_import, rounds, selectors, tokens
from audit_app.celery import app as celery_app
from audit_app.demo import build_demo
from audit_app.models import (
    Area,
    Audit,
    AuditRound,
    AuditState,
    FindingTheme,
    Moderation,
    Role,
    RoundState,
    SafeguardingEscalation,
    User,
)
from audit_app.reports.models import MeetingAction, PvpReport, PvpReportVersion, ReportState
from audit_app.reports.selectors import report_content
from recommendations.models import Inspection, ProgressAssessment, Recommendation, add_months
from tests import factories
from tests.permission_matrix import ANONYMOUS, OTHER_FORCE, ROWS, STRANGER, USER_KINDS, Bug, Row

COLLAPSED_NAMESPACES = {"admin"}  # the admin is one row of the matrix


@dataclass
class World:
    users: dict[str, User | None]
    records: dict[str, object]


@dataclass(frozen=True)
class Route:
    key: str  # the matrix row's name: "name" or "namespace:name"
    route: str
    kwargs: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")


def _kwargs(pattern) -> tuple[str, ...]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return tuple(converters)
    regex = getattr(pattern, "regex", None)
    return tuple(regex.groupindex) if regex is not None else ()


def _walk(patterns, prefix: str = "", namespace: str = "", kwargs: tuple = ()) -> Iterator:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        found = kwargs + _kwargs(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from _walk(entry.url_patterns, route, inner, found)
        elif isinstance(entry, URLPattern):
            yield namespace, entry.name, route, found


def routes() -> list[Route]:
    """Every URL pattern Django knows, once each (DRF's `.json` twins are their base route)."""
    found: dict[str, Route] = {}
    for namespace, name, route, kwargs in _walk(get_resolver().url_patterns):
        top = namespace.split(":")[0]
        if top in COLLAPSED_NAMESPACES:
            found.setdefault(top, Route(top, f"{top}/", ()))
            continue
        if "format" in kwargs:
            continue
        key = f"{namespace}:{name}" if namespace and name else (name or route)
        found.setdefault(key, Route(key, route, kwargs))
    return sorted(found.values(), key=lambda r: r.key)


def url_for(route: Route, records: dict) -> str:
    """The route's URL with its arguments filled by the records its matrix row names."""
    if route.key in COLLAPSED_NAMESPACES:
        return "/" + route.route
    row = ROWS.get(route.key)
    if row is None:  # a new route: test_permission_matrix insists on its row
        if route.kwargs:
            raise LookupError(f"{route.key}: no row in tests/permission_matrix.py")
        return reverse(route.key)
    return reverse(route.key, kwargs={name: records[row.kwargs[name]] for name in route.kwargs})


def _expected(row: Row, kind: str, method: str, is_api: bool):
    expected = row.expect(kind, method, is_api)
    return expected.correct if isinstance(expected, Bug) else expected


def users_who_may(route: Route, method: str = "GET") -> list[str]:
    """The signed-in kinds the matrix expects to get past the permission checks with `method`:
    a success or a redirect first, then a refusal of the input (400, 409)."""
    row = ROWS.get(route.key)
    if row is None or method not in row.methods:
        return []
    kinds = [kind for kind in USER_KINDS if kind != ANONYMOUS]
    outcomes = {kind: _expected(row, kind, method, route.is_api) for kind in kinds}

    def rank(kind: str) -> int | None:
        got = outcomes[kind]
        if got in (200, 201, 202, 204) or (isinstance(got, str) and got.startswith("302->")):
            return 0
        if got in (400, 409):
            return 1
        return None

    ranked = sorted((rank(kind), kind) for kind in kinds if rank(kind) is not None)
    return [kind for _, kind in ranked]


def _west_audit(user: User, state: str) -> Audit:
    return (
        Audit.objects.filter(
            auditor=user, state=state, round__state=RoundState.OPEN, round__area__code="west"
        )
        .order_by("pk")
        .first()
    )


def _ready_version(report: PvpReport) -> PvpReportVersion:
    """A ready version with compiled content and a stand-in PDF (WeasyPrint is slow)."""
    cutoff = timezone.now()
    content = report_content(
        force=report.force, area=report.area, month=report.month, cutoff=cutoff
    )
    pdf = f"%PDF-1.7 url world {report.pk}".encode()
    version = PvpReportVersion(
        report=report,
        number=1,
        state=ReportState.READY,
        content=content,
        data_cutoff=cutoff,
        generated_at=cutoff,
        size=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
        page_count=1,
    )
    version.file.save(f"reports/world-{report.pk}-1.pdf", ContentFile(pdf), save=False)
    version.save()
    PvpReport.objects.filter(pk=report.pk).update(current=version, last_version=1)
    return version


def build_world() -> World:
    call_command("load_reference_data", verbosity=0)
    build_demo()
    users: dict[str, User | None] = {ANONYMOUS: None}
    for kind in USER_KINDS:
        if kind not in (ANONYMOUS, STRANGER, OTHER_FORCE):
            users[kind] = User.objects.get(username=kind)
    users[STRANGER] = factories.UserFactory(username="stranger")
    other_force = factories.ForceFactory(code="other-force", name="Other Constabulary")
    other_area = factories.AreaFactory(force=other_force, code="other", name="Other")
    users[OTHER_FORCE] = factories.user_with_role(
        Role.AUDIT_MANAGER, other_area, username="other.manager"
    )
    west = Area.objects.get(code="west")
    auditor, manager = users["west.auditor"], users["west.manager"]
    audit = _west_audit(auditor, AuditState.IN_PROGRESS)
    submitted = _west_audit(auditor, AuditState.SUBMITTED)
    moderated = _west_audit(auditor, AuditState.MODERATED)
    draft = AuditRound.objects.get(area=west, state=RoundState.DRAFT)
    rounds.round_select(audit_round=draft, by=manager, seed=2018)
    upload = SimpleUploadedFile(
        "cases.csv",
        b"reference,theme,area,team,occurred_on\nWM-1,DA,west,response,2026-01-05\n",
        content_type="text/csv",
    )
    imported = case_import.case_import_start(force=west.force, by=manager, upload=upload)
    token, _ = tokens.token_create(user=auditor, name="World")
    this_month = selectors.current_month()
    last_month = add_months(this_month, -1)
    report = PvpReport.objects.create(force=west.force, area=west, month=last_month)
    recommendation = Recommendation.objects.filter(actions__isnull=False).order_by("pk").first()
    action = recommendation.actions.order_by("pk").first()
    records = {
        "audit": audit.pk,
        "section": selectors.audit_walk(audit).sections[0].section.code,
        "submitted_audit": submitted.pk,
        "escalation": SafeguardingEscalation.objects.get(audit__round__area=west).pk,
        "round": audit.round_id,
        "draft_round": draft.pk,
        "slot": draft.slots.order_by("position").first().pk,
        "case_import": imported.pk,
        "token": token.pk,
        "report": report.pk,
        "version": _ready_version(report).pk,
        "meeting_action": MeetingAction.objects.filter(area=west).order_by("pk").first().pk,
        "recommendation": recommendation.pk,
        "recommendation_action": action.pk,
        "recommendation_action_revision": action.revision,
        "assessment": ProgressAssessment.objects.order_by("pk").first().pk,
        "inspection": Inspection.objects.get(force=west.force).pk,
        "finding_theme": FindingTheme.objects.filter(is_controlled=True).order_by("pk")[0].pk,
        "case": audit.case_id,
        "moderation": Moderation.objects.get(audit=moderated).pk,
        "assessment_kind": "force",
        "export_format": "csv",
        # For request bodies
        "west": west.pk,
        "west.auditor2": users["west.auditor2"].pk,
        "today": timezone.localdate().isoformat(),
        "last_month": f"{last_month:%Y-%m}",
        "month_after_next": f"{add_months(this_month, 2):%Y-%m}",
        "due_after_next": (add_months(this_month, 3) - datetime.timedelta(days=1)).isoformat(),
        "draw_month": f"{add_months(rounds.candidate_month(draft), -1):%Y-%m}",
    }
    return World(users=users, records=records)


def world_fixture(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """The body of a module-scoped fixture: built once, rolled back at the end."""
    media = tmp_path_factory.mktemp("url-world-media")
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(MEDIA_ROOT=media),
            transaction.atomic(),
        ):
            yield build_world()
            transaction.set_rollback(True)
    finally:
        celery_app.conf.task_always_eager = eager
