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

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404

from audit_app.models import User
from tests.permission_matrix import (
    ADMIN_LOGIN,
    ANONYMOUS,
    LOGIN,
    ROWS,
    UNSAFE_METHODS,
    USER_KINDS,
    Bug,
    Row,
    redirect_to,
)
from tests.url_world import Route, World, client_for, url_for, url_patterns, world_fixture

# What a write-only route may answer to a GET: never success.
REFUSALS = {401, 403, 404, 405, LOGIN}


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


# --- The people and records (tests/url_world.py) -------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    yield from world_fixture(django_db_setup, django_db_blocker, tmp_path_factory)


# --- Requests ------------------------------------------------------------------------------------


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
            self.clients[kind] = client_for(user)

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


def _methods_problems(key: str, pattern: Route, row: Row, get_outcomes: dict) -> list[str]:
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
            url = url_for(pattern, world.records)
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
    url = url_for(pattern, world.records)
    sessions = Sessions({kind: world.users[kind]})
    if method == "GET":
        got = sessions.get(kind, url)
    else:
        body = row.body(world.records) if row.body else {}
        got = sessions.write(kind, method, url, body, pattern.is_api)
    assert got == bug.correct, f"{method} {url} as {kind}: {got}, should be {bug.correct}"
