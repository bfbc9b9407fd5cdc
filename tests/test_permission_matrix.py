"""The permission matrix: every URL pattern, for every role, a stranger and a signed-out visitor.

The expected outcomes live in tests/permission_matrix.py, which explains how to add a row.
`test_every_url_pattern_has_a_row` fails, without a database, when a URL pattern has no row or a
row names a pattern that no longer exists. `test_permission_matrix` requests every cell (GET for
every pattern; the unsafe methods of routes that change things, rolled back) and reports every
mismatch at once, and every response to a signed-in user that a cache could keep (it must carry
`Cache-Control: no-store, private`). Cells marked `bug(...)` are skipped there and held by
`test_known_permission_bug`, one strict xfail each.

The demo data is built once for the module, inside a transaction rolled back at the end.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
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
from tests.permission_matrix import (
    ADMIN_LOGIN,
    ANONYMOUS,
    LOGIN,
    OTHER_FORCE,
    ROWS,
    STRANGER,
    UNSAFE_METHODS,
    USER_KINDS,
    Bug,
    Row,
    redirect_to,
)

# Everything under these namespaces is checked by the one row named after the namespace.
COLLAPSED_NAMESPACES = {"admin"}
# What a write-only route may answer to a GET: never success.
REFUSALS = {401, 403, 404, 405, LOGIN}


# --- Walking the URL configuration ---------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str  # the row's name: "name", "namespace:name", or the route when unnamed
    route: str
    kwargs: tuple[str, ...]
    callback: object

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


def _pattern_kwargs(pattern) -> tuple[str, ...]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return tuple(converters)
    regex = getattr(pattern, "regex", None)
    return tuple(regex.groupindex) if regex is not None else ()


def _walk(patterns, prefix: str = "", namespace: str = "", kwargs: tuple = ()) -> Iterator:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        found = kwargs + _pattern_kwargs(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from _walk(entry.url_patterns, route, inner, found)
        elif isinstance(entry, URLPattern):
            yield namespace, entry.name, route, found, entry.callback


def url_patterns() -> dict[str, Pattern]:
    """Every URL pattern by row name. DRF's format-suffix twins (`audits.json`) are the same view
    as their base route under the same name, so the base route covers them."""
    found: dict[str, Pattern] = {}
    duplicates: list[str] = []
    for namespace, name, route, kwargs, callback in _walk(get_resolver().url_patterns):
        top = namespace.split(":")[0]
        if top in COLLAPSED_NAMESPACES:
            found.setdefault(top, Pattern(top, f"{top}/", (), callback))
            continue
        if "format" in kwargs:
            continue
        key = f"{namespace}:{name}" if namespace and name else (name or f"<unnamed> {route}")
        if key in found:
            duplicates.append(f"{key}: {found[key].route} and {route}")
            continue
        found[key] = Pattern(key, route, kwargs, callback)
    assert not duplicates, "URL names used twice (name them apart): " + "; ".join(duplicates)
    return found


# --- What a response means ------------------------------------------------------------------------


def outcome(response) -> int | str:
    if response.status_code not in (301, 302, 303, 307, 308):
        return response.status_code
    path = urlsplit(response["Location"]).path
    if path == reverse("login"):
        return LOGIN
    if path == reverse("admin:login"):
        return ADMIN_LOGIN
    try:
        return redirect_to(resolve(path).view_name)
    except Resolver404:
        return redirect_to(path)


# --- The people and records ---------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User | None]
    records: dict[str, object]


def _west_audit(user: User, state: str) -> Audit:
    return (
        Audit.objects.filter(
            auditor=user, state=state, round__state=RoundState.OPEN, round__area__code="west"
        )
        .order_by("pk")
        .first()
    )


def _ready_version(report: PvpReport) -> PvpReportVersion:
    """A ready version with really compiled content and a stand-in PDF (WeasyPrint is slow)."""
    cutoff = timezone.now()
    content = report_content(
        force=report.force, area=report.area, month=report.month, cutoff=cutoff
    )
    pdf = f"%PDF-1.7 permission matrix {report.pk}".encode()
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
    version.file.save(f"reports/matrix-{report.pk}-1.pdf", ContentFile(pdf), save=False)
    version.save()
    PvpReport.objects.filter(pk=report.pk).update(current=version, last_version=1)
    return version


def _build_world() -> World:
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
    token, _ = tokens.token_create(user=auditor, name="Matrix")
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


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """Built once: each test runs in a savepoint inside this transaction, rolled back at the end."""
    media = tmp_path_factory.mktemp("permission-matrix-media")
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(MEDIA_ROOT=media),
            transaction.atomic(),
        ):
            yield _build_world()
            transaction.set_rollback(True)
    finally:
        celery_app.conf.task_always_eager = eager


# --- Requests ------------------------------------------------------------------------------------


def _url(pattern: Pattern, row: Row, records: dict) -> str:
    if pattern.key in COLLAPSED_NAMESPACES:
        return "/" + pattern.route
    kwargs = {}
    for name in pattern.kwargs:
        source = row.kwargs.get(name)
        if source is None:
            raise LookupError(f"row {pattern.key}: say which record fills <{name}>")
        if source not in records:
            raise LookupError(f"row {pattern.key}: no record {source!r}; add it in _build_world")
        kwargs[name] = records[source]
    return reverse(pattern.key, kwargs=kwargs)


def stored_by_caches(response) -> bool:
    """Whether a browser or proxy cache may keep the response (it lacks `no-store, private`)."""
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return not {"no-store", "private"} <= directives


class Sessions:
    """One signed-in session per user kind, reused by every request of that kind.

    Every response to a signed-in kind must forbid caching: those that do not are collected in
    `cacheable`."""

    def __init__(self, users: dict[str, User | None]) -> None:
        self.clients = {}
        self.cacheable: list[str] = []
        for kind, user in users.items():
            client = Client(raise_request_exception=False)
            if user is not None:
                client.force_login(user)
            self.clients[kind] = client

    def _check_cache(self, kind: str, method: str, url: str, response) -> None:
        if kind != ANONYMOUS and stored_by_caches(response):
            cache_control = response.get("Cache-Control", "none")
            self.cacheable.append(
                f"{method} {url} as {kind}: {response.status_code} with Cache-Control: "
                f"{cache_control}, not no-store, private"
            )

    def get(self, kind: str, url: str) -> int | str:
        response = self.clients[kind].get(url)
        self._check_cache(kind, "GET", url, response)
        return outcome(response)

    def write(self, kind: str, method: str, url: str, body: dict, is_api: bool) -> int | str:
        """An unsafe request in a copy of the session (signing out must not end the original),
        rolled back so that it changes nothing for the cells after it."""
        client = Client(raise_request_exception=False)
        for name, morsel in self.clients[kind].cookies.items():
            client.cookies[name] = morsel.value
        send = getattr(client, method.lower())
        with transaction.atomic():
            if is_api:
                response = send(url, data=body, content_type="application/json")
            else:
                response = send(url, data=body)
            transaction.set_rollback(True)
        self._check_cache(kind, method, url, response)
        return outcome(response)


@dataclass(frozen=True)
class Cell:
    row: str
    method: str
    kind: str
    url: str
    expected: int | str | Bug
    got: int | str

    def __str__(self) -> str:
        expected = self.expected.correct if isinstance(self.expected, Bug) else self.expected
        where = f"{self.row}: {self.method} {self.url} as {self.kind}"
        return f"{where}: expected {expected}, got {self.got}"


def _methods_problems(key: str, pattern: Pattern, row: Row, get_outcomes: dict) -> list[str]:
    """The row must give the outcomes of every unsafe method the route takes, and no others."""
    problems = []
    drf = pattern.drf_methods
    writes = set(row.writes)
    if drf is not None:
        for method in sorted((drf & UNSAFE_METHODS) - writes):
            problems.append(f"row {key}: the route takes {method}; give its expected outcomes")
        for method in sorted(writes - drf):
            problems.append(f"row {key}: the route does not take {method}; remove it")
    elif 405 in get_outcomes.values() and "POST" not in writes:
        problems.append(f"row {key}: GET is not allowed (405); give the outcomes of POST")
    return problems


def walk_matrix(world: World) -> tuple[list[Cell | str], int]:
    """Request every cell. Returns the mismatches and other problems, and the requests made."""
    problems: list[Cell | str] = []
    patterns = url_patterns()
    problems += [f"no row for URL pattern {key} (/{p.route})" for key, p in patterns.items()
                 if key not in ROWS]  # fmt: skip
    problems += [f"row {key} names no URL pattern" for key in ROWS if key not in patterns]
    sessions = Sessions(world.users)
    requests = 0
    for key, pattern in sorted(patterns.items()):
        row = ROWS.get(key)
        if row is None:
            continue
        try:
            url = _url(pattern, row, world.records)
        except LookupError as error:
            problems.append(str(error))
            continue
        get_outcomes = {}
        for kind in USER_KINDS:
            got = get_outcomes[kind] = sessions.get(kind, url)
            requests += 1
            if row.get is None:
                if got not in REFUSALS:
                    problems.append(f"{key}: GET {url} as {kind}: a write-only route gave {got}")
                continue
            expected = row.expect(kind, "GET", pattern.is_api)
            if not isinstance(expected, Bug) and got != expected:
                problems.append(Cell(key, "GET", kind, url, expected, got))
        problems += _methods_problems(key, pattern, row, get_outcomes)
        body = row.body(world.records) if row.body else {}
        for method in row.writes:
            for kind in USER_KINDS:
                got = sessions.write(kind, method, url, body, pattern.is_api)
                requests += 1
                expected = row.expect(kind, method, pattern.is_api)
                if not isinstance(expected, Bug) and got != expected:
                    problems.append(Cell(key, method, kind, url, expected, got))
    problems += sessions.cacheable
    return problems, requests


# --- Tests ----------------------------------------------------------------------------------------


def test_every_url_pattern_has_a_row():
    patterns = url_patterns()
    missing = sorted(f"{key} (/{p.route})" for key, p in patterns.items() if key not in ROWS)
    stale = sorted(key for key in ROWS if key not in patterns)
    assert not missing, (
        "URL patterns with no row in tests/permission_matrix.py (add one saying who gets what): "
        + ", ".join(missing)
    )
    assert not stale, "rows in tests/permission_matrix.py naming no URL pattern: " + ", ".join(
        stale
    )
    overlaps = [f"{key}: {o}" for key, row in ROWS.items() for o in row.overlaps()]
    assert not overlaps, "rows naming a kind twice, or without '*': " + ", ".join(overlaps)
    unknown = {
        name
        for row in ROWS.values()
        for method in row.methods
        for key in row.cells(method)
        for name in (key if isinstance(key, tuple) else (key,))
        if name != "*" and name not in USER_KINDS
    }
    assert not unknown, f"rows name unknown user kinds: {sorted(unknown)}"


@pytest.mark.django_db
def test_permission_matrix(world):
    cache.clear()  # the API's rate-limit counters
    problems, requests = walk_matrix(world)
    print(f"permission matrix: {requests} requests, {len(ROWS)} rows x {len(USER_KINDS)} kinds")
    assert not problems, f"{len(problems)} cells differ from tests/permission_matrix.py:\n" + (
        "\n".join(str(problem) for problem in problems)
    )


def _known_bugs() -> Iterator:
    for key, row in ROWS.items():
        for method in row.methods:
            for kind in USER_KINDS:
                expected = row.expect(kind, method, is_api=False)
                if isinstance(expected, Bug):
                    yield pytest.param(
                        key,
                        method,
                        kind,
                        expected,
                        id=f"{key}-{method}-{kind}",
                        marks=pytest.mark.xfail(
                            strict=True, raises=AssertionError, reason=expected.reason
                        ),
                    )


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "method", "kind", "bug"), list(_known_bugs()))
def test_known_permission_bug(world, key, method, kind, bug):
    cache.clear()
    pattern = url_patterns()[key]
    row = ROWS[key]
    url = _url(pattern, row, world.records)
    sessions = Sessions({kind: world.users[kind]})
    if method == "GET":
        got = sessions.get(kind, url)
    else:
        body = row.body(world.records) if row.body else {}
        got = sessions.write(kind, method, url, body, pattern.is_api)
    assert got == bug.correct, f"{method} {url} as {kind}: {got}, should be {bug.correct}"
