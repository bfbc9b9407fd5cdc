"""The access log covers every read: every GET operation of the OpenAPI schema, and every URL.

`test_every_api_read_is_logged_with_its_model_and_canonical_id` walks the schema: each GET
operation is requested as a demo user who can read it (ids written with leading zeros), and must
leave one entry naming the model the operation serves, by its one label, and the record's canonical
id. The URL walks check, without a database, that every page keyword holding a record id names a
model and that every API route serves a model, so a new view cannot escape the log.

The URL world (tests/url_world.py) is built once for the module, inside a transaction rolled back
at the end.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db.models import Model
from django.test import Client
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import get_view_model

from audit_app.access_log import middleware as access_log_middleware
from audit_app.access_log import services as access_log_services
from audit_app.access_log.models import AccessLogEntry
from audit_app.audits.models import Audit, AuditRound, AuditState, Case, FindingTheme, Moderation
from audit_app.models import Area, User
from audit_app.reports.models import MeetingAction, PvpReportVersion
from audit_app.rounds.models import CaseImport, SelectionSlot
from recommendations.models import (
    Inspection,
    ProgressAssessment,
    Recommendation,
    RecommendationAction,
)
from tests.url_world import build_world, url_entries, world_fixture

# Tried in turn until one may read the operation.
READERS = [
    "west.auditor",
    "west.moderator",
    "west.manager",
    "west.leader",
    "force.manager",
    "force.leader",
    "hmicfrs.inspector",
]
# Views that serve no queryset, and the model whose records they read.
MODEL_OF_VIEW_WITHOUT_QUERYSET = {"api-aggregates": Audit, "api-export": Audit}
PATH_PARAMETERS = {"file_format": "csv"}


# --- The world ------------------------------------------------------------------------------------


def _candidates() -> dict[type[Model], list[int]]:
    """For each model, records of West that the demo users read (several where the state of a
    record decides who may read it), in the URL world (tests/url_world.py)."""
    records = build_world().records
    west = Area.objects.get(pk=records["west"])
    audits = Audit.objects.filter(round__area=west).order_by("pk")
    by_state = {
        state: list(audits.filter(state=state).values_list("pk", flat=True)[:1])
        for state in (AuditState.MODERATED, AuditState.SUBMITTED, AuditState.IN_PROGRESS)
    }
    return {
        Audit: [pk for pks in by_state.values() for pk in pks],
        Case: list(audits.values_list("case_id", flat=True)[:3]),
        Moderation: list(
            Moderation.objects.filter(audit__round__area=west).values_list("pk", flat=True)[:2]
        ),
        FindingTheme: list(
            FindingTheme.objects.filter(is_active=True).values_list("pk", flat=True)[:1]
        ),
        CaseImport: [records["case_import"]],
        AuditRound: list(audits.values_list("round_id", flat=True).distinct()[:3]),
        SelectionSlot: list(
            SelectionSlot.objects.filter(round__area=west).values_list("pk", flat=True)[:3]
        ),
        PvpReportVersion: [records["version"]],
        MeetingAction: list(
            MeetingAction.objects.filter(area=west).values_list("pk", flat=True)[:2]
        ),
        Inspection: list(Inspection.objects.values_list("pk", flat=True)[:1]),
        Recommendation: list(Recommendation.objects.values_list("pk", flat=True)[:2]),
        RecommendationAction: list(RecommendationAction.objects.values_list("pk", flat=True)[:2]),
        ProgressAssessment: list(ProgressAssessment.objects.values_list("pk", flat=True)[:2]),
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[dict]:
    yield from world_fixture(
        django_db_setup, django_db_blocker, tmp_path_factory, build=_candidates
    )


# --- What each operation serves -------------------------------------------------------------------


def served_model(view_name: str, callback) -> type[Model] | None:
    """The model an API view serves, found as drf-spectacular finds it for the schema."""
    if view_name in MODEL_OF_VIEW_WITHOUT_QUERYSET:
        return MODEL_OF_VIEW_WITHOUT_QUERYSET[view_name]
    view_class = getattr(callback, "cls", None)
    if view_class is None:
        return None
    view = view_class(**getattr(callback, "initkwargs", {}))
    view.swagger_fake_view = True
    view.request, view.args, view.kwargs, view.action = None, (), {}, None
    return get_view_model(view, emit_warnings=False)


def get_operations() -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(path for path, item in schema["paths"].items() if "get" in item)


def _fill(path: str, record_id: int | None) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name in PATH_PARAMETERS:
            return PATH_PARAMETERS[name]
        assert name in ("id", "pk"), f"{path}: say how to fill {{{name}}} in PATH_PARAMETERS"
        return f"00{record_id}"  # written with leading zeros: logged as the plain number

    return re.sub(r"\{(\w+)\}", value, path)


def _read(clients: dict[str, Client], path: str, ids: list[int | None]) -> tuple | None:
    """The first (reader, id, url, entries) that reads the operation with success."""
    for record_id in ids:
        url = _fill(path, record_id)
        for username, client in clients.items():
            before = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            if response.status_code == 200:
                entries = list(AccessLogEntry.objects.filter(pk__gt=before or 0).order_by("pk"))
                return username, record_id, url, entries
    return None


# --- Tests ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_api_read_is_logged_with_its_model_and_canonical_id(world):
    cache.clear()  # the API's rate-limit counters
    clients = {}
    for username in READERS:
        clients[username] = Client(raise_request_exception=False)
        clients[username].force_login(User.objects.get(username=username))
    problems, checked = [], 0
    for path in get_operations():
        match = resolve(_fill(path, 1))
        model = served_model(match.view_name, match.func)
        if model is None:
            problems.append(f"{path}: serves no model (give its view a queryset)")
            continue
        is_detail = "{id}" in path or "{pk}" in path
        ids = world.get(model) if is_detail else [None]
        if not ids:
            problems.append(f"{path}: no {model.__name__} in the world; add one in build_world")
            continue
        found = _read(clients, path, ids)
        if found is None:
            problems.append(f"{path}: no demo user could read it with ids {ids}")
            continue
        username, record_id, url, entries = found
        want = (access_log_services.record_type_of(model), str(record_id) if is_detail else "")
        got = [(entry.record_type, entry.record_id) for entry in entries]
        if got != [want]:
            problems.append(f"GET {url} as {username}: logged {got}, expected [{want}]")
        checked += 1
    print(f"access log: {checked} GET operations read and checked")
    assert checked >= 30
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_the_same_audit_is_one_record_on_every_endpoint(world, client):
    audit = Audit.objects.get(pk=world[Audit][0])  # moderated: every reader may see it
    readers = {
        f"/audits/{audit.pk}/": audit.auditor,
        f"/api/audits/0{audit.pk}/": audit.auditor,
        f"/api/audit-results/0{audit.pk}/": User.objects.get(username="west.manager"),
        f"/api/moderation/audits/0{audit.pk}/": User.objects.get(username="west.moderator"),
    }
    for path, user in readers.items():
        client.force_login(user)
        before = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        assert client.get(path).status_code == 200, path
        entries = AccessLogEntry.objects.filter(pk__gt=before)
        assert list(entries.values_list("record_type", "record_id")) == [("audit", str(audit.pk))]


# --- The URL configuration, without a database ---------------------------------------------------


def test_every_page_record_id_names_a_model():
    """A page keyword that is not known to the access log would go unlogged: name its model in
    the access log middleware's PAGE_RECORD_KWARGS, or say in NOT_RECORD_KWARGS that it holds
    no record id."""
    unknown = set()
    for namespace, _name, route, kwargs, _callback in url_entries():
        if route.startswith("api/") or namespace.startswith("admin"):
            continue  # the API's ids are its view's model; the admin's its ModelAdmin's
        for key in kwargs:
            known = f"{namespace}:{key}" in access_log_middleware.PAGE_RECORD_KWARGS or (
                key in access_log_middleware.PAGE_RECORD_KWARGS
                or key in access_log_middleware.NOT_RECORD_KWARGS
            )
            if not known:
                unknown.add(f"<{key}> in /{route}")
    assert not unknown, "URL keywords the access log does not know: " + ", ".join(sorted(unknown))


def test_every_api_route_serves_a_model_with_one_label():
    missing = []
    for namespace, name, route, _kwargs, callback in url_entries():
        if not route.startswith("api/") or name in access_log_middleware.NOT_LOGGED:
            continue
        view_name = f"{namespace}:{name}" if namespace else name
        model = access_log_middleware.api_view_model(view_name, callback)
        if model is None or model is not served_model(view_name, callback):
            missing.append(f"{view_name} (/{route}): {model}")
    assert not missing, "API routes whose model the access log does not know: " + ", ".join(missing)
    labels = list(access_log_services.RECORD_LABELS.values())
    assert len(labels) == len(set(labels)), "two models share a record type"
