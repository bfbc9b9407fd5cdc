"""No test module imports another: what several share lives in a helper module (tests/builders.py,
tests/url_world.py, tests/walk_helpers.py, tests/factories.py, tests/permission_matrix.py) or in
a conftest.py fixture, so running one module never depends on another's tests or fixtures."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def imported_test_modules(source: str) -> Iterator[tuple[int, str]]:
    """(line, module) for every import of a `tests.test_*` module in `source`."""
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
            if len(parts) >= 2 and parts[0] == "tests" and parts[1].startswith("test_"):
                yield node.lineno, ".".join(parts[:2])
                break


def test_no_test_module_imports_another():
    found = [
        f"{path.name}:{line} imports {module}"
        for path in sorted(TESTS.glob("test_*.py"))
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
        ("from tests.builders import ready_version", False),
        ("from tests import factories", False),
        ("import tests.url_world", False),
    ],
)
def test_the_check_finds_an_import_of_a_test_module(source, found):
    assert bool(list(imported_test_modules(source))) is found
