"""The suite's layout: tests mirror the apps (tests/<app>/), with tests/e2e for browser journeys,
tests/contracts for the rules every path must keep and tests/faults for failures injected; and no
test module imports another: what several share lives in a helper module (tests/builders.py,
tests/url_world.py, tests/walk_helpers.py, tests/factories.py, tests/permission_matrix.py) or in
a conftest.py fixture, so running one module never depends on another's tests or fixtures."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]


def imported_test_modules(source: str) -> Iterator[tuple[int, str]]:
    """(line, module) for every import of a test module (`tests.<folder>.test_*`) in `source`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative, from inside tests/
                base = ".".join(part for part in ("tests", base) if part)
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            tested = [i for i, part in enumerate(parts) if part.startswith("test_")]
            if parts[0] == "tests" and tested:
                yield node.lineno, ".".join(parts[: tested[0] + 1])
                break


def test_no_test_module_imports_another():
    found = [
        f"{path.relative_to(TESTS)}:{line} imports {module}"
        for path in sorted(TESTS.rglob("test_*.py"))
        for line, module in imported_test_modules(path.read_text(encoding="utf-8"))
    ]
    assert not found, "move what they share into a helper module:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from tests.test_reports_views import ready_version", True),
        ("from tests import test_case_import", True),
        ("import tests.test_selection", True),
        ("from .test_coverage import audited", True),
        ("def f():\n    from tests.test_case_import import GOOD", True),
        ("from tests.reports.test_reports_views import ready_version", True),
        ("from tests.builders import ready_version", False),
        ("from tests import factories", False),
        ("import tests.url_world", False),
    ],
)
def test_the_check_finds_an_import_of_a_test_module(source, found):
    assert bool(list(imported_test_modules(source))) is found


APPS = {
    path.name
    for root in (TESTS.parent / "audit_app", TESTS.parent)
    for path in root.iterdir()
    if (path / "apps.py").exists()
}
KINDS = {"e2e", "contracts", "faults", "kernel"}


def test_tests_mirror_the_apps():
    """Every test module sits in a folder named after an app or a kind of test, never loose."""
    loose = [path.name for path in TESTS.glob("test_*.py")]
    assert not loose, f"test modules outside an app's folder: {loose}"
    folders = {path.parent.name for path in TESTS.rglob("test_*.py")}
    assert folders <= APPS | KINDS, f"folders that name no app: {sorted(folders - APPS - KINDS)}"
    assert {"audits", "rounds", "reports", "recommendations"} <= folders
