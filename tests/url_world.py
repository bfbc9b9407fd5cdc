"""The demo world and the URL walk behind the tests that visit every route as someone it is for.

`build_world()` makes the records named by the rows of tests/permission_matrix.py (the demo, a
stranger, another force's audit manager, a draft round with its cases, an import, a token, a
report with a ready version), so a test walking the URL resolver can fill every route's
arguments and pick, from the matrix, a user who may open it. Build it once per module inside a
transaction that is rolled back (see `world_fixture`, which builds other worlds too).

The walk: `url_entries()` yields every URL pattern with its full route, keyword arguments and
view; `url_patterns()` and `routes()` give them by matrix row name (`Route`), and `url_for` fills
a route's arguments from the world's records. `client_for` signs a client in.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from audit_app.accounts import tokens
from audit_app.audits import selectors
from audit_app.audits.models import (
    Audit,
    AuditRound,
    AuditState,
    FindingTheme,
    Moderation,
    RoundState,
    SafeguardingEscalation,
)
from audit_app.celery import app as celery_app
from audit_app.demo.world import build_demo
from audit_app.directory import services as directory
from audit_app.models import Area, Role, User
from audit_app.months import add_months, current_month
from audit_app.reports.models import MeetingAction, PvpReport, PvpReportVersion, ReportState
from audit_app.reports.selectors import report_content
from audit_app.rounds import imports as case_import
from audit_app.rounds import services as rounds
from recommendations.models import Inspection, ProgressAssessment, Recommendation
from tests import factories
from tests.permission_matrix import ANONYMOUS, OTHER_FORCE, ROWS, STRANGER, USER_KINDS, Bug, Row

T = TypeVar("T")

# Everything under these namespaces is checked by the one row named after the namespace.
COLLAPSED_NAMESPACES = {"admin"}


@dataclass
class World:
    users: dict[str, User | None]
    records: dict[str, object]


# --- Walking the URL configuration ---------------------------------------------------------------


class UrlEntry(NamedTuple):
    """One URL pattern as the resolver holds it: its full route, keyword arguments and view."""

    namespace: str
    name: str | None
    route: str
    kwargs: tuple[str, ...]
    callback: object

    @property
    def view_name(self) -> str | None:
        return f"{self.namespace}:{self.name}" if self.namespace else self.name


@dataclass(frozen=True)
class Route:
    """A URL pattern under its matrix row's name (the admin's patterns are one route)."""

    key: str  # the row's name: "name", "namespace:name", or "<unnamed> route"
    route: str
    kwargs: tuple[str, ...]
    callback: object = field(default=None, compare=False)

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def drf_methods(self) -> set[str] | None:
        """The methods a DRF view answers; None for a plain Django view (not introspectable)."""
        actions = getattr(self.callback, "actions", None)
        if actions:
            return {method.upper() for method in actions}
        view_class = getattr(self.callback, "cls", None)
        if view_class is not None and hasattr(view_class, "http_method_names"):
            return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
        return None


def _kwargs(pattern) -> tuple[str, ...]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return tuple(converters)
    regex = getattr(pattern, "regex", None)
    return tuple(regex.groupindex) if regex is not None else ()


def _walk(patterns, prefix: str, namespace: str, kwargs: tuple) -> Iterator[UrlEntry]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        found = kwargs + _kwargs(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from _walk(entry.url_patterns, route, inner, found)
        elif isinstance(entry, URLPattern):
            yield UrlEntry(namespace, entry.name, route, found, entry.callback)


def url_entries() -> Iterator[UrlEntry]:
    """Every URL pattern Django knows, the admin's and DRF's `.json` twins included."""
    return _walk(get_resolver().url_patterns, "", "", ())


def _collect() -> tuple[dict[str, Route], list[str]]:
    found: dict[str, Route] = {}
    duplicates: list[str] = []
    for namespace, name, route, kwargs, callback in url_entries():
        top = namespace.split(":")[0]
        if top in COLLAPSED_NAMESPACES:
            found.setdefault(top, Route(top, f"{top}/", (), callback))
            continue
        if "format" in kwargs:
            continue
        key = f"{namespace}:{name}" if namespace and name else (name or f"<unnamed> {route}")
        if key in found:
            duplicates.append(f"{key}: {found[key].route} and {route}")
            continue
        found[key] = Route(key, route, kwargs, callback)
    return found, duplicates


def url_patterns() -> dict[str, Route]:
    """Every URL pattern by row name. DRF's format-suffix twins (`audits.json`) are the same view
    as their base route under the same name, so the base route covers them."""
    found, duplicates = _collect()
    assert not duplicates, "URL names used twice (name them apart): " + "; ".join(duplicates)
    return found


def routes() -> list[Route]:
    """Every URL pattern once, by row name (the first where a name is used twice)."""
    return sorted(_collect()[0].values(), key=lambda r: r.key)


def url_for(route: Route, records: dict) -> str:
    """The route's URL with its arguments filled by the records its matrix row names."""
    if route.key in COLLAPSED_NAMESPACES:
        return "/" + route.route
    row = ROWS.get(route.key)
    if row is None:  # a new route: test_permission_matrix insists on its row
        if route.kwargs:
            raise LookupError(f"{route.key}: no row in tests/permission_matrix.py")
        return reverse(route.key)
    kwargs = {}
    for name in route.kwargs:
        source = row.kwargs.get(name)
        if source is None:
            raise LookupError(f"row {route.key}: say which record fills <{name}>")
        if source not in records:
            raise LookupError(
                f"row {route.key}: no record {source!r}; add it in build_world (tests/url_world.py)"
            )
        kwargs[name] = records[source]
    return reverse(route.key, kwargs=kwargs)


def client_for(user: User | None) -> Client:
    """A client signed in as `user` (signed out for None) that answers a view's error with 500."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


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


# --- The people and records ---------------------------------------------------------------------


def _west_audit(user: User, state: str) -> Audit:
    return (
        Audit.objects.filter(
            auditor=user, state=state, round__state=RoundState.OPEN, round__area__code="west"
        )
        .order_by("pk")
        .first()
    )


def compiled_version(report: PvpReport) -> PvpReportVersion:
    """The report's first version, ready, with really compiled content and a stand-in PDF
    (WeasyPrint is slow)."""
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
    """The demo, a stranger, another force's audit manager, and the records the demo lacks."""
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
    staff_upload = SimpleUploadedFile(
        "staff.csv", b"staff number,name,team\nW9001,Ada Example,west/response\n"
    )
    staff_import = directory.staff_import_check(
        force=west.force, by=users["force.manager"], upload=staff_upload
    )
    west_person = audit.case.officer_in_case
    token, _ = tokens.token_create(user=auditor, name="World")
    this_month = current_month()
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
        "staff_import": staff_import.pk,
        "staff_member": west_person.pk,
        "token": token.pk,
        # A guessed acknowledgement link: the page says nothing to anyone.
        "guessed_feedback_link": "guessed-" + "x" * 35,
        "report": report.pk,
        "version": compiled_version(report).pk,
        "meeting_action": MeetingAction.objects.filter(area=west).order_by("pk").first().pk,
        "west_meeting": f"area-{west.pk}",  # key messages: a meeting and a month
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


def world_fixture(
    django_db_setup, django_db_blocker, tmp_path_factory, build: Callable[[], T] = build_world
) -> Iterator[T]:
    """The body of a module-scoped fixture: `build()` (the URL world unless told) runs once, with
    tasks run in-process and report files in a throwaway directory, inside a transaction rolled
    back at the end; each test runs in a savepoint inside it."""
    media = tmp_path_factory.mktemp("url-world-media")
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(MEDIA_ROOT=media),
            transaction.atomic(),
        ):
            yield build()
            transaction.set_rollback(True)
    finally:
        celery_app.conf.task_always_eager = eager
