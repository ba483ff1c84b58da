"""The expected failures of Bottle's own suite (tests/bottle_suite/expected_failures.toml)
are explained in the migration guide, word for word, and each names a real test."""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
LIST = ROOT / "tests" / "bottle_suite" / "expected_failures.toml"
GUIDE = ROOT / "docs" / "migrating-from-bottle.md"


def _entries():
    with LIST.open("rb") as file:
        tables = tomllib.load(file)
    return [(table, test_id, reason) for table, entries in tables.items() for test_id, reason in entries.items()]


def test_every_reason_is_in_the_migration_guide():
    guide = " ".join(GUIDE.read_text(encoding="utf-8").split())  # line breaks in the guide do not matter
    missing = sorted({reason for _, _, reason in _entries() if " ".join(reason.split()) not in guide})
    assert not missing, f"reasons missing from {GUIDE.name}: {missing}"


def test_every_entry_is_a_test_id_of_the_suite_with_a_one_line_reason():
    for _, test_id, reason in _entries():
        assert re.fullmatch(r"test/test_\w+\.py::\w+::\w+", test_id), test_id
        assert reason.strip() and "\n" not in reason, test_id


def test_only_known_tables_hold_entries():
    # private internals and deliberate (safety) differences are the only kinds a Bottle user accepts
    assert {table for table, _, _ in _entries()} <= {"private", "safety", "deliberate"}


def run_plugin(tmp_path: Path, tests: str, listed: str, size: int) -> subprocess.CompletedProcess[str]:
    """Run the bottle-suite plugin over a small stand-in suite ``tests`` with ``listed`` as
    the expected-failures file; returns the finished pytest process."""
    suite = tmp_path / "test"
    suite.mkdir()
    (suite / "__init__.py").write_text("")
    (suite / "test_small.py").write_text(textwrap.dedent(tests))
    (tmp_path / "expected.toml").write_text(textwrap.dedent(listed))
    env = dict(os.environ, PYTHONPATH=str(ROOT / "tests" / "bottle_suite"), BOTTLE_SUITE_SIZE=str(size),
               BOTTLE_SUITE_EXPECTED_FAILURES=str(tmp_path / "expected.toml"))
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "bottle_suite_plugin", "-p", "no:cacheprovider",
                           "-c", str(ROOT / "tests" / "bottle_suite" / "pytest.ini"), "--rootdir", str(tmp_path),
                           str(suite)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


SMALL_SUITE = """
    import bottle

    def test_passes():
        assert bottle.__version__ == "0.13.4"

    def test_fails():
        assert bottle.no_such_name
"""


def test_plugin_passes_when_only_listed_tests_fail(tmp_path):
    result = run_plugin(tmp_path, SMALL_SUITE, '[private]\n"test/test_small.py::test_fails" = "Private."\n', 2)
    assert result.returncode == 0, result.stdout
    assert "bottle 0.13.4 suite: 1/2 passed, 1 expected failures" in result.stdout


LISTED_FAILS = '[private]\n"test/test_small.py::test_fails" = "Private."\n'


@pytest.mark.parametrize(("listed", "size", "says"), [
    pytest.param(LISTED_FAILS + '"test/test_small.py::test_passes" = "X."\n', 2, "listed tests now pass",
                 id="a-listed-test-passes"),
    pytest.param("", 2, "1 unexpected failures", id="an-unlisted-test-fails"),
    pytest.param(LISTED_FAILS + '"test/test_small.py::test_gone" = "P."\n', 2, "which the suite does not have",
                 id="a-listed-test-is-missing"),
    pytest.param(LISTED_FAILS, 377, "not 377", id="the-suite-did-not-load-whole"),
])
def test_plugin_fails_the_run(tmp_path, listed, size, says):
    result = run_plugin(tmp_path, SMALL_SUITE, listed, size)
    assert result.returncode != 0 and says in result.stdout, result.stdout
