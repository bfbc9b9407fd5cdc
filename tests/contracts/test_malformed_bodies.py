"""Every write operation of the API answers a malformed body with a 4xx and its reason, never a 500.

`test_no_write_operation_fails_on_a_malformed_body` walks every POST/PUT/PATCH operation in the
OpenAPI schema, fills its path with a record of the demo world that the permission matrix says the
chosen user may write, and sends: JSON that does not parse, a JSON array, number, string and null
instead of an object, a body whose every field is absurd (year 1 and 9999, 31-digit ids, huge
numbers), and one whose every field has the wrong type. An operation that takes a body must
answer the malformed ones with 400 and `{"detail": "<reason>"}`; no operation may answer 5xx.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import resolve, reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from tests.permission_matrix import ROWS
from tests.url_world import Route, World, client_for, users_who_may, world_fixture

WRITE_METHODS = ("post", "put", "patch")
HUGE = 10**30


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    yield from world_fixture(django_db_setup, django_db_blocker, tmp_path_factory)


def openapi() -> dict:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw))


def _resolve_ref(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in node and len(node["allOf"]) == 1:
        return _resolve_ref(schema, node["allOf"][0])
    return node


def request_schema(schema: dict, operation: dict) -> dict | None:
    """The operation's request body schema (JSON first, else the first media type), or None."""
    content = (operation.get("requestBody") or {}).get("content") or {}
    if not content:
        return None
    media = content.get("application/json") or next(iter(content.values()))
    return _resolve_ref(schema, media.get("schema") or {})


def _is_date(prop: dict) -> bool:
    return prop.get("format") == "date" or "(0[1-9]|1[0-2])" in prop.get("pattern", "")


def value(schema: dict, prop: dict, mode: str):
    """A value for the property: `sensible` where the body is about something else, `huge` for
    ids and numbers, `year1`/`year9999` for dates, `wrong` for a type no field takes."""
    prop = _resolve_ref(schema, prop)
    if mode == "wrong":
        return {"a": [None]}
    kind = prop.get("type")
    if _is_date(prop):
        year = {"year1": "0001", "year9999": "9999"}.get(mode)
        month = prop.get("format") != "date"
        if year is None:
            today = datetime.date.today()
            return f"{today:%Y-%m}" if month else today.isoformat()
        return f"{year}-01" if month else f"{year}-01-01"
    if kind in ("integer", "number"):
        return HUGE if mode == "huge" else 1
    if prop.get("enum"):
        return prop["enum"][0]
    if kind == "string":
        return "Text"
    if kind == "boolean":
        return False
    if kind == "array":
        return [value(schema, prop.get("items") or {}, mode)]
    if kind == "object" and prop.get("properties"):
        return {k: value(schema, v, mode) for k, v in prop["properties"].items()}
    return HUGE if mode == "huge" else 1


IMPLAUSIBLE_DATES = ("dates in year 1", "dates in year 9999")


def bodies(schema: dict, body_schema: dict | None) -> list[tuple[str, bytes]]:
    props = (body_schema or {}).get("properties") or {"id": {"type": "integer"}}
    required = set((body_schema or {}).get("required") or ())

    def body(mode: str) -> bytes:
        """Every field; for the dates, only the required fields and the dates, so that the
        date is the one thing wrong with the body."""
        dates_only = mode in ("year1", "year9999")
        given = {
            name: value(schema, prop, mode)
            for name, prop in props.items()
            if not dates_only or name in required or _is_date(_resolve_ref(schema, prop))
        }
        return json.dumps(given).encode()

    return [
        ("JSON that does not parse", b'{"month": "2026-'),
        ("a JSON array", json.dumps([{name: 1 for name in props}]).encode()),
        ("a JSON number", b"7"),
        ("a JSON string", b'"2026-01"'),
        ("JSON null", b"null"),
        ("huge ids and numbers", body("huge")),
        ("dates in year 1", body("year1")),
        ("dates in year 9999", body("year9999")),
        ("the wrong types", body("wrong")),
    ]


def _malformed(label: str) -> bool:
    return label in ("JSON that does not parse", "a JSON array", "a JSON number", "a JSON string")


def _has_dates(schema: dict, body_schema: dict | None) -> bool:
    props = (body_schema or {}).get("properties") or {}
    return any(_is_date(_resolve_ref(schema, prop)) for prop in props.values())


def _placeholders_as_ids(path: str) -> str:
    parts = [("1" if part.startswith("{") else part) for part in path.split("/")]
    return "/".join(parts)


@pytest.mark.django_db
def test_no_write_operation_fails_on_a_malformed_body(world):
    schema = openapi()
    problems: list[str] = []
    operations = 0
    for path, item in sorted(schema["paths"].items()):
        for method in WRITE_METHODS:
            if method not in item:
                continue
            operations += 1
            match = resolve(_placeholders_as_ids(path))
            route = Route(match.view_name, path.lstrip("/"), tuple(match.kwargs))
            row = ROWS.get(route.key)
            writers = users_who_may(route, method.upper())
            if row is None or not writers:
                problems.append(f"{method.upper()} {path}: no matrix row says who may write it")
                continue
            url = reverse(
                route.key,
                kwargs={name: world.records[row.kwargs[name]] for name in match.kwargs},
            )
            client = client_for(world.users[writers[0]])
            body_schema = request_schema(schema, item[method])
            for label, body in bodies(schema, body_schema):
                cache.clear()  # rate limits
                with transaction.atomic():
                    response = getattr(client, method)(
                        url, data=body, content_type="application/json"
                    )
                    transaction.set_rollback(True)
                where = f"{method.upper()} {url} as {writers[0]} with {label}"
                if response.status_code >= 500:
                    problems.append(f"{where}: {response.status_code}")
                    continue
                if body_schema is not None and _malformed(label) and response.status_code != 400:
                    problems.append(f"{where}: {response.status_code}, not 400")
                    continue
                dated = label in IMPLAUSIBLE_DATES and _has_dates(schema, body_schema)
                if dated and response.status_code < 300:
                    problems.append(f"{where}: {response.status_code}, the date accepted")
                    continue
                if response.status_code == 400:
                    detail = _detail(response)
                    if not detail:
                        problems.append(f"{where}: 400 without a detail: {response.content[:200]}")
    assert operations > 15, "the walk found too few write operations: is the schema broken?"
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def _detail(response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    detail = data.get("detail") if isinstance(data, dict) else None
    return detail if isinstance(detail, str) else ""


def _unbounded_integers(schema: dict, node: dict, path: str) -> Iterator[str]:
    node = _resolve_ref(schema, node)
    if node.get("type") == "integer" and not node.get("readOnly"):
        if "maximum" not in node:
            yield path
        return
    if node.get("type") == "array":
        yield from _unbounded_integers(schema, node.get("items") or {}, f"{path}[]")
    for name, prop in (node.get("properties") or {}).items():
        yield from _unbounded_integers(schema, prop, f"{path}.{name}")


def test_every_integer_in_a_request_body_is_bounded():
    """An unbounded integer (an id, a revision) overflows SQLite deep in a query: a 500. Every
    integer a client may send carries a maximum (use audit_app.fields.RecordIdApiField)."""
    schema = openapi()
    unbounded = [
        found
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in WRITE_METHODS
        for found in _unbounded_integers(
            schema, request_schema(schema, operation) or {}, f"{method.upper()} {path}"
        )
    ]
    assert not unbounded, "integers without a maximum: " + ", ".join(unbounded)
