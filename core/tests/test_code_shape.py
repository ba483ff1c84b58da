"""The shape the house style asks of the code (STYLE.md): functions of at most 50 lines and modules
of at most 500 in the core, and test files whose names are unique across the repository (pytest
imports test files by their base name: two `test_conformance.py` break a run over several packages)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "core" / "src" / "demijohn"
MAX_FUNCTION_LINES, MAX_MODULE_LINES = 50, 500
SKIPPED_DIRECTORIES = {".git", ".tox", ".venv", ".venv-demo", "build", "dist", "node_modules", "__pycache__"}

#: Functions over the limit, each with the reason it stays for now.
LONG_FUNCTIONS: dict[str, str] = {}
#: Modules over the limit, each with the reason.
LONG_MODULES: dict[str, str] = {}


def _functions(path: Path) -> list[tuple[str, int]]:
    """``(name, lines)`` of every function and method in a module, nested ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(node.name, (node.end_lineno or node.lineno) - node.lineno + 1) for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_function_in_the_core_is_over_50_lines():
    long = {f"{path.relative_to(PACKAGE)}:{name}": lines for path in _modules()
            for name, lines in _functions(path) if lines > MAX_FUNCTION_LINES}
    assert set(long) - set(LONG_FUNCTIONS) == set(), f"split these by step: {long}"
    assert set(LONG_FUNCTIONS) - set(long) == set(), "now short: remove it from LONG_FUNCTIONS"


def test_no_module_in_the_core_is_over_500_lines():
    long = {str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines()) for path in _modules()}
    long = {name: lines for name, lines in long.items() if lines > MAX_MODULE_LINES}
    assert set(long) - set(LONG_MODULES) == set(), f"split these by concept: {long}"
    assert set(LONG_MODULES) - set(long) == set(), "now short: remove it from LONG_MODULES"


def _test_files(root: Path) -> list[Path]:
    found = []
    for path in root.rglob("test_*.py"):
        if not SKIPPED_DIRECTORIES & set(path.relative_to(root).parts):
            found.append(path)
    return found


def test_no_two_test_files_share_a_name():
    by_name: dict[str, list[str]] = defaultdict(list)
    for path in _test_files(ROOT):
        by_name[path.name].append(str(path.relative_to(ROOT)))
    shared = {name: paths for name, paths in by_name.items() if len(paths) > 1}
    assert shared == {}, "name each test file after its package too (plugins/cache/tests/test_cache_outage.py)"


def test_the_test_file_check_sees_a_shared_name(tmp_path):
    for package in ("a", "b"):
        (tmp_path / package / "tests").mkdir(parents=True)
        (tmp_path / package / "tests" / "test_same.py").write_text("")
    (tmp_path / ".tox" / "x").mkdir(parents=True)
    (tmp_path / ".tox" / "x" / "test_same.py").write_text("")  # tox's own copies do not count
    assert sorted(str(path.relative_to(tmp_path)) for path in _test_files(tmp_path)) == \
        ["a/tests/test_same.py", "b/tests/test_same.py"]
