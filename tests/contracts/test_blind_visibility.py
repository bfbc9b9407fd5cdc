"""A blind audit's grade and answers stay hidden until a moderator records their own grade.

The world: the demo, plus one audit of West moderated blind (the force's blind share is 100%)
in a round of its own, returned once and submitted again, so its current submission awaits the
blind grade. Everything its auditor wrote carries MARK, and its grade is HIDDEN_GRADE both times.

Every page URL pattern (from the URL resolver) and every API operation (from the OpenAPI schema,
with each documented choice of its query parameters) is requested as West's moderators, senior
leader and audit managers and an inspector. No response may carry MARK; no JSON object, CSV or
XLSX row about the audit may carry a grade or an answer; a page about the audit or its round may
not name the grade (outside its forms); figures may not count it; a list filtered on its grade
may not list it. As its auditor, no response may say the audit is moderated blind.

Built once for the module, inside a transaction rolled back at the end.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from openpyxl import load_workbook

from audit_app.accounts import tokens
from audit_app.analytics.exports import FIXED_COLUMNS
from audit_app.audits import selectors, services
from audit_app.audits.models import (
    Audit,
    AuditRound,
    FindingTheme,
    Grade,
    Moderation,
    ModerationPolicy,
    RoundState,
    SafeguardingEscalation,
)
from audit_app.demo.world import build_demo
from audit_app.models import Area, Role, User
from audit_app.months import add_months, current_month
from audit_app.reports.models import MeetingAction, PvpReport
from audit_app.rounds.models import CaseImport, SelectionSlot
from recommendations.models import (
    Inspection,
    ProgressAssessment,
    Recommendation,
    RecommendationAction,
)
from tests import factories
from tests.url_world import client_for, compiled_version, url_entries, world_fixture
from tests.walk_helpers import allocated_audit

MARK = "zq7781"  # in every text the blind audit's auditor wrote
HIDDEN_GRADE = Grade.INADEQUATE
BLIND_GRADE = Grade.GOOD  # the moderator's blind grade of the first submission
READERS = (
    "west.moderator",
    "west.moderator2",
    "west.leader",
    "west.manager",
    "force.manager",
    "hmicfrs.inspector",
)
# JSON keys holding a grade of the auditor's (or one derived from theirs).
GRADE_KEYS = {
    "grade",
    "suggested_grade",
    "moderated_grade",
    "final_grade",
    "original_grade",
    "agreed_grade",
    "original",
}
CSV_GRADE_COLUMNS = ("auditor_grade", "moderated_grade", "final_grade")
SKIPPED_ROUTES = {"api/", "admin/"}  # the API is walked from its schema; the admin is staff's


# URL arguments (pages) and collections (API) whose record is the audit, its case, round or
# escalation: a page about the audit may not name its grade at all.
ABOUT_KWARGS = {"audit_id", "round_id", "escalation_id"}
ABOUT_COLLECTIONS = {
    "audits",
    "moderation/audits",
    "audit-results",
    "cases",
    "moderations",
    "rounds",
}


@dataclass
class World:
    audit: Audit
    users: dict[str, User]
    page_kwargs: dict[str, object]
    api_ids: dict[str, object]


# --- The world ------------------------------------------------------------------------------------


def _submit(audit: Audit, n: int) -> Audit:
    audit.refresh_from_db()
    return services.audit_submit(
        audit=audit,
        by=audit.auditor,
        grade=HIDDEN_GRADE,
        grade_reason=f"{MARK} reason {n}",
        good_practice=f"{MARK} good practice {n}",
        areas_for_improvement=f"{MARK} improvement {n}",
        seen_revision=audit.revision,
    )


def _answer(audit: Audit, n: int) -> None:
    for section in selectors.audit_walk(audit).sections:
        services.audit_section_save(
            audit=audit,
            by=audit.auditor,
            section_code=section.section.code,
            answers={
                q.pk: services.AnswerInput("partly", f"{MARK} answer {q.code} {n}")
                for q in section.questions
            },
            seen_fingerprint=None,
        )


def _pk(queryset) -> int:
    """The first record's id: the world must hold one, or the walk would only meet 404s."""
    first = queryset.order_by("pk").first()
    assert first is not None, f"the blind world holds no {queryset.model.__name__}"
    return first.pk


def _build_world() -> World:
    call_command("load_reference_data", verbosity=0)
    build_demo()
    west = Area.objects.get(code="west")
    ModerationPolicy.objects.update_or_create(
        force=west.force, defaults={"blind_share_percent": 100}
    )
    users = {name: User.objects.get(username=name) for name in READERS if name != "west.moderator2"}
    users["west.moderator2"] = factories.user_with_role(
        Role.MODERATOR, west, username="west.moderator2"
    )
    users["west.auditor"] = auditor = User.objects.get(username="west.auditor")
    moderator = users["west.moderator"]

    # A month of its own, so West's figures for that month hold this audit alone.
    month = add_months(current_month(), -5)
    audit_round = factories.AuditRoundFactory(area=west, month=month, state=RoundState.OPEN)
    audit = allocated_audit("DA", auditor=auditor, round=audit_round, case__reference="WE-4242")
    _answer(audit, 1)
    _submit(audit, 1)
    services.blind_grade_record(audit=audit, moderator=moderator, grade=BLIND_GRADE)
    audit.refresh_from_db()
    earlier = services.moderation_record(
        audit=audit,
        moderator=moderator,
        decision=services.ModerationInput(decision="returned", comments="Look again at A."),
        seen_revision=audit.revision,
    )
    _answer(audit, 2)
    audit = _submit(audit, 2)
    assert audit.is_blind and services.current_blind_grade(audit) is None
    escalation = services.escalation_raise(
        audit=audit, by=auditor, concern="A child may still be at risk."
    )
    report = PvpReport.objects.create(force=west.force, area=west, month=month)
    version = compiled_version(report)
    token, _ = tokens.token_create(user=auditor, name="Walk")
    draft_round = AuditRound.objects.filter(area=west, state=RoundState.DRAFT).first()

    # Records the blind audit does not touch, so that their routes answer rather than 404.
    factories.CaseImportFactory(force=west.force, uploaded_by=users["west.manager"])
    staff_import = factories.StaffImportFactory(force=west.force, uploaded_by=users["west.manager"])
    if not draft_round.slots.exists():
        factories.SelectionSlotFactory(round=draft_round)
    page_kwargs = {
        "audit_id": audit.pk,
        "section_code": selectors.audit_walk(audit).sections[0].section.code,
        "round_id": audit_round.pk,
        "escalation_id": escalation.pk,
        "report_id": report.pk,
        "version_id": version.pk,
        "user_id": auditor.pk,
        "token_id": token.pk,
        # The blind audit's officer in the case, in the staff directory.
        "staff_id": audit.case.officer_in_case_id
        or factories.StaffMemberFactory(force=west.force).pk,
        "staff_import_id": staff_import.pk,
        # Key messages for West's meeting in the blind audit's month.
        "meeting": f"area-{west.pk}",
        "month": f"{month:%Y-%m}",
        # The public acknowledgement page: a link that opens nothing.
        "token": "guessed-" + "x" * 35,
        "import_id": _pk(CaseImport.objects.all()),
        "slot_id": _pk(SelectionSlot.objects.filter(round=draft_round)),
        "recommendation_id": _pk(Recommendation.objects.all()),
        "recommendations:action_id": _pk(RecommendationAction.objects.all()),
        "reports:action_id": _pk(MeetingAction.objects.filter(area=west)),
        "kind": "force",
    }
    api_ids = {
        "audits": audit.pk,
        "moderation/audits": audit.pk,
        "audit-results": audit.pk,
        "cases": audit.case_id,
        "moderations": earlier.pk,
        "rounds": audit_round.pk,
        "reports": version.pk,
        "assessments": _pk(ProgressAssessment.objects.all()),
        "case-imports": _pk(CaseImport.objects.all()),
        "inspections": _pk(Inspection.objects.all()),
        "meeting-actions": _pk(MeetingAction.objects.filter(area=west)),
        "recommendation-actions": _pk(RecommendationAction.objects.all()),
        "recommendations": _pk(Recommendation.objects.all()),
        "selection-slots": _pk(SelectionSlot.objects.all()),
        "themes": _pk(FindingTheme.objects.all()),
    }
    return World(audit=audit, users=users, page_kwargs=page_kwargs, api_ids=api_ids)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    yield from world_fixture(
        django_db_setup, django_db_blocker, tmp_path_factory, build=_build_world
    )


# --- The requests ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    about_audit: bool  # the URL names the audit, its case, round or escalation
    filters_on_grade: bool  # the query asks for audits of the hidden grade


def page_requests(world: World) -> list[Request]:
    """A GET of every page URL pattern, its arguments naming the blind audit where they can."""
    requests = []
    for entry in url_entries():
        namespace, route = entry.namespace, entry.route
        if any(route.startswith(skipped) for skipped in SKIPPED_ROUTES):
            continue
        kwargs = {}
        for arg in entry.kwargs:
            value = world.page_kwargs.get(f"{namespace}:{arg}", world.page_kwargs.get(arg))
            assert value is not None, f"say which record fills <{arg}> of /{route}"
            kwargs[arg] = value
        url = reverse(entry.view_name, kwargs=kwargs)
        about = bool(ABOUT_KWARGS & set(kwargs))
        requests.append(Request("GET", url, about, filters_on_grade=False))
    return requests


def _query_variants(parameters: list[dict], month: str) -> list[dict[str, str]]:
    """No query; each documented choice of each parameter; the audit's area and month."""
    variants: list[dict[str, str]] = [{}]
    names = {p["name"] for p in parameters if p["in"] == "query"}
    for parameter in parameters:
        if parameter["in"] != "query" or parameter["name"] == "page":
            continue
        schema = parameter.get("schema", {})
        if schema.get("enum"):
            variants += [{parameter["name"]: str(value)} for value in schema["enum"]]
        elif schema.get("type") == "boolean":
            variants.append({parameter["name"]: "true"})
    if "grade" in names:
        variants.append({"grade": HIDDEN_GRADE})
    if {"area", "month_from", "month_to"} <= names:
        narrow = {"area": "west", "month_from": month, "month_to": month}
        variants.append(narrow)
        if "basis" in names:
            variants.append({**narrow, "basis": "graded"})
    return variants


def api_requests(world: World) -> list[Request]:
    """Every operation in the OpenAPI schema, GETs with each variant of their query."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    month = f"{world.audit.round.month:%Y-%m}"
    requests = []
    for path, operations in schema["paths"].items():
        collection = re.sub(r"^/api/|/\{.*$|/$", "", path)
        formats = ["csv", "xlsx"] if "{file_format}" in path else [None]
        for file_format in formats:
            url = path.replace("{file_format}", file_format or "")
            url = url.replace("{audit_id}", str(world.audit.pk))
            if "{id}" in url:
                assert collection in world.api_ids, f"say which record fills {{id}} of {path}"
                url = url.replace("{id}", str(world.api_ids[collection]))
            about = "{id}" in path and collection in ABOUT_COLLECTIONS
            for method, operation in operations.items():
                if method != "get":
                    requests.append(Request(method.upper(), url, about, filters_on_grade=False))
                    continue
                for query in _query_variants(operation.get("parameters", []), month):
                    full = f"{url}?{urlencode(query)}" if query else url
                    on_grade = query.get("grade") == HIDDEN_GRADE
                    requests.append(Request("GET", full, about, filters_on_grade=on_grade))
    return requests


def send(client: Client, request: Request) -> list[tuple[str, object]]:
    """The response's bodies (following an API list's further pages), as (content type, body)."""
    if request.method != "GET":
        with transaction.atomic():
            response = getattr(client, request.method.lower())(
                request.url, data={}, content_type="application/json"
            )
            transaction.set_rollback(True)
        return [_body(response)]
    bodies: list[tuple[str, object]] = []
    url: str | None = request.url
    for _ in range(20):
        response = client.get(url)
        content_type, body = _body(response)
        bodies.append((content_type, body))
        following = body.get("next") if isinstance(body, dict) else None
        url = following.replace("http://testserver", "") if following else None
        if url is None:
            break
    return bodies


def _body(response) -> tuple[str, object]:
    if response.status_code >= 500:
        return "error", response.status_code
    content_type = response.get("Content-Type", "").split(";")[0]
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type == "application/json":
        return content_type, json.loads(raw or b"null")
    if content_type.endswith("spreadsheetml.sheet"):
        sheet = load_workbook(io.BytesIO(raw), read_only=True).active
        return "table", [["" if v is None else str(v) for v in row] for row in sheet.values]
    if content_type == "text/csv":
        return "table", list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    if content_type.startswith("text/") or content_type.endswith("javascript"):
        return content_type, raw.decode()
    return content_type, None  # a PDF or other binary: nothing the auditor wrote is in one


# --- What a response may not hold -----------------------------------------------------------------


def _names_audit(node: dict, audit: Audit) -> bool:
    reference = audit.case.reference
    return (
        node.get("case_reference") == reference
        or node.get("reference") == reference
        or node.get("audit") == audit.pk
        or node.get("audit_id") == audit.pk
    )


def _json_leaks(node: object, audit: Audit, about: bool = False) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _json_leaks(item, audit, about)
    elif isinstance(node, dict):
        about = about or _names_audit(node, audit)
        if about:
            yield "lists the audit"
            for key in sorted(GRADE_KEYS & set(node)):
                if node[key]:
                    yield f"{key}={node[key]!r} for the audit"
            if node.get("answers") or node.get("answer"):
                yield "answers of the audit"
        for value in node.values():
            yield from _json_leaks(value, audit, about)


def _table_leaks(rows: list[list[str]], audit: Audit) -> Iterator[str]:
    header = rows[0] if rows else []
    if "audit_id" not in header:
        return
    for row in rows[1:]:
        if row[header.index("audit_id")] != str(audit.pk):
            continue
        yield "lists the audit"
        for column in CSV_GRADE_COLUMNS:
            if row[header.index(column)]:
                yield f"{column}={row[header.index(column)]!r} for the audit"
        answers = [
            value for name, value in zip(header, row, strict=True) if name not in FIXED_COLUMNS
        ]
        if any(answers):
            yield "answers of the audit"


def _visible_text(html: str) -> str:
    """The page without its forms and lists of choices (which offer every grade)."""
    for tag in ("form", "select", "script"):
        html = re.sub(rf"<{tag}\b.*?</{tag}>", "", html, flags=re.S | re.I)
    return html


def leaks(request: Request, bodies: list[tuple[str, object]], audit: Audit) -> list[str]:
    found: list[str] = []
    for content_type, body in bodies:
        if content_type == "error":
            found.append(f"a server error ({body}), which may hide a leak")
            continue
        if body is None:
            continue
        if MARK in json.dumps(body):
            found.append(f"what the auditor wrote ({MARK})")
        if content_type == "application/json":
            found += list(_json_leaks(body, audit))
        elif content_type == "table":
            found += list(_table_leaks(body, audit))
        elif (
            content_type == "text/html"
            and request.about_audit
            and HIDDEN_GRADE.label.lower() in _visible_text(body).lower()
        ):
            found.append(f"the grade {HIDDEN_GRADE.label!r} on a page about the audit")
    listed = "lists the audit" in found
    found = [problem for problem in found if problem != "lists the audit"]
    if listed and request.filters_on_grade:
        found.append("lists the audit under a filter on its hidden grade")
    return sorted(set(found))


def walk(client: Client, requests: list[Request], audit: Audit) -> list[str]:
    problems = []
    for request in requests:
        for problem in leaks(request, send(client, request), audit):
            problems.append(f"{request.method} {request.url}: {problem}")
    return problems


# --- Tests ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("reader", READERS)
def test_no_page_shows_the_blind_audit_before_the_blind_grade(world, reader):
    cache.clear()
    requests = page_requests(world)
    problems = walk(client_for(world.users[reader]), requests, world.audit)
    assert not problems, f"{len(problems)} pages show the blind audit to {reader}:\n" + "\n".join(
        problems
    )


@pytest.mark.django_db
@pytest.mark.parametrize("reader", READERS)
def test_no_api_operation_shows_the_blind_audit_before_the_blind_grade(world, reader):
    cache.clear()
    requests = api_requests(world)
    problems = walk(client_for(world.users[reader]), requests, world.audit)
    assert not problems, (
        f"{len(problems)} API operations show the blind audit to {reader}:\n" + "\n".join(problems)
    )


@pytest.mark.django_db
def test_the_auditor_is_never_told_the_audit_is_moderated_blind(world):
    cache.clear()
    client = client_for(world.users["west.auditor"])
    told = []
    for request in page_requests(world) + api_requests(world):
        for content_type, body in send(client, request):
            text = json.dumps(body) if content_type != "text/html" else _visible_text(body)
            if body is not None and "blind" in text.lower():
                told.append(f"{request.method} {request.url}")
    assert not told, "the auditor is told the audit is moderated blind:\n" + "\n".join(told)
    check = client.get(reverse("audit_check", args=[world.audit.pk])).content.decode()
    assert MARK in check  # the auditor still reads all they wrote


def _blindness_about(node: object, audit: Audit, about: bool = False) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _blindness_about(item, audit, about)
    elif isinstance(node, dict):
        about = about or _names_audit(node, audit)
        if about and (node.get("is_blind") is not None or node.get("blind_grade") is not None):
            yield f"is_blind={node.get('is_blind')!r} blind_grade={node.get('blind_grade')!r}"
        for value in node.values():
            yield from _blindness_about(value, audit, about)


@pytest.mark.django_db
def test_an_auditor_who_also_moderates_is_not_told_either(world):
    """With a moderator's role too, the auditor reads the queue, the moderation pages and the
    analysts' API, which show other audits' blindness, but never their own audit's."""
    cache.clear()
    auditor, audit = world.users["west.auditor"], world.audit
    with transaction.atomic():
        factories.RoleAssignmentFactory(
            user=auditor, role=Role.MODERATOR, force=audit.round.area.force, area=audit.round.area
        )
        client = client_for(auditor)
        told = []
        for url in (
            "/api/moderation/audits/?state=submitted",
            f"/api/moderation/audits/{audit.pk}/",
            f"/api/audit-results/{audit.pk}/",
            "/api/moderations/",
        ):
            told += [f"{url}: {t}" for t in _blindness_about(client.get(url).json(), audit)]
        for url in (
            reverse("audit_overview", args=[audit.pk]),
            reverse("moderate_audit", args=[audit.pk]),
        ):
            if "blind" in _visible_text(client.get(url).content.decode()).lower():
                told.append(url)
        queue = client.get(reverse("moderation_queue"), {"state": "submitted"}).content.decode()
        row = re.search(rf"<tr\b(?:(?!</tr>).)*{audit.case.reference}.*?</tr>", queue, re.S)
        assert row, "the auditor's own audit is in the queue"
        if "blind" in row.group(0).lower():
            told.append("the queue's row")
        transaction.set_rollback(True)
    assert not told, "the auditor is told their audit is moderated blind:\n" + "\n".join(told)


@pytest.mark.django_db
@pytest.mark.parametrize("reader", READERS)
def test_figures_leave_out_the_hidden_grade(world, reader):
    """The audit is alone in West that month: on the graded basis nothing is counted."""
    cache.clear()
    client = client_for(world.users[reader])
    month = f"{world.audit.round.month:%Y-%m}"
    narrow = {"area": "west", "month_from": month, "month_to": month, "basis": "graded"}
    rows = client.get("/api/aggregates/", {**narrow, "group_by": "area,month"}).json()
    assert sum(row["total"] for row in rows) == 0, rows
    page = client.get(reverse("dashboard"), narrow)
    assert page.status_code == 200
    assert page.context["total"] == 0


@pytest.mark.django_db
def test_everything_is_shown_once_the_blind_grade_is_recorded(world):
    """The same checks find the grade and answers once they may be seen: they are not blind."""
    cache.clear()
    moderator = world.users["west.moderator2"]
    client = client_for(moderator)
    audit = world.audit
    with transaction.atomic():
        services.blind_grade_record(audit=audit, moderator=moderator, grade=Grade.GOOD)
        requests = [
            Request("GET", f"/api/moderation/audits/{audit.pk}/", True, False),
            Request("GET", f"/api/audit-results/{audit.pk}/", True, False),
            Request("GET", "/api/exports/audits.csv?comments=true", False, False),
            Request("GET", reverse("moderate_audit", args=[audit.pk]), True, False),
            Request("GET", reverse("round_detail", args=[audit.round_id]), True, False),
        ]
        for request in requests:
            problems = leaks(request, send(client, request), audit)
            assert problems, f"{request.url} shows nothing of the audit once it may"
        detail = client.get(f"/api/moderation/audits/{audit.pk}/").json()
        assert detail["grade"] == HIDDEN_GRADE and detail["is_blind"] is True
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_visibility_rule(world):
    audit = world.audit
    hidden = selectors.AuditVisibility(auditor_work=False, blindness=True)
    for reader in READERS:
        assert selectors.audit_visibility(world.users[reader], audit) == hidden
    auditor = world.users["west.auditor"]
    assert selectors.audit_visibility(auditor, audit) == selectors.AuditVisibility(
        auditor_work=True, blindness=False
    )
    annotated = selectors.with_visibility(Audit.objects.filter(pk=audit.pk), auditor).get()
    with pytest.raises(ValueError, match="another user"):
        selectors.audit_visibility(world.users["west.moderator"], annotated)
    with pytest.raises(TypeError):
        selectors.audit_visibility(auditor, Moderation.objects.filter(audit=audit).first())
    with transaction.atomic():
        services.blind_grade_record(
            audit=audit, moderator=world.users["west.moderator"], grade=Grade.GOOD
        )
        assert selectors.audit_visibility(world.users["west.manager"], audit).auditor_work
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_walk_reaches_the_audit(world):
    """The walk requests the routes about the audit, with its records."""
    about = [r.url for r in page_requests(world) + api_requests(world) if r.about_audit]
    assert reverse("audit_overview", args=[world.audit.pk]) in about
    assert f"/api/moderation/audits/{world.audit.pk}/" in about
    assert SafeguardingEscalation.objects.filter(audit=world.audit).exists()
