"""pytest plugin for Bottle's own test suite, run against demijohn (see ``run.py``).

- Before any test module is imported, ``demijohn.install_as_bottle()`` makes
  ``import bottle`` give demijohn: the same public call users make.
- Every test listed in ``expected_failures.toml`` is marked ``xfail(strict=True)``: the
  run fails when a test outside the list fails AND when a listed test passes, so the list
  only shrinks. A listed test that does not exist fails the run too.
- The summary says how many of the suite's tests pass.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

import demijohn

#: Bottle 0.13.4's suite has this many tests; another number means the yardstick changed.
SUITE_SIZE = 377
_stale: list[str] = []  # listed test ids the suite does not have
_collected: list[int] = []  # how many tests were collected


def load_expected_failures(path: str | os.PathLike[str]) -> dict[str, str]:
    """``{test id: reason}`` from every table of the expected-failures file."""
    with open(path, "rb") as file:
        tables = tomllib.load(file)
    return {test_id: reason for table in tables.values() for test_id, reason in table.items()}


_EXPECTED = pytest.StashKey[dict[str, str]]()


def pytest_configure(config: pytest.Config) -> None:
    demijohn.install_as_bottle()
    config.stash[_EXPECTED] = load_expected_failures(os.environ["BOTTLE_SUITE_EXPECTED_FAILURES"])


class _ImportFailure(pytest.Item):
    """Stands for a listed test of a module that cannot be imported yet (its names land with
    another branch), so the test is counted and reported as the expected failure it is."""

    def __init__(self, *, error: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        raise AssertionError(f"the test module does not import: {self.error}")

    def reportinfo(self) -> tuple[str, int, str]:
        return str(self.path), 0, self.name


class _Module(pytest.Module):
    """A test module whose import failure, when the expected-failures list names its tests,
    turns into one failing item per listed test instead of a collection error."""

    def collect(self) -> Any:
        try:
            return super().collect()
        except self.CollectError as error:
            prefix = self.nodeid + "::"
            listed = [test_id[len(prefix):] for test_id in self.config.stash[_EXPECTED] if test_id.startswith(prefix)]
            if not listed:
                raise
            reason = str(error).strip().splitlines()[-1]
            return [_ImportFailure.from_parent(self, name=name, error=reason) for name in listed]


def pytest_pycollect_makemodule(module_path: Any, parent: Any) -> Any:
    return _Module.from_parent(parent, path=module_path)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    expected = dict(config.stash[_EXPECTED])
    for item in items:
        reason = expected.pop(item.nodeid, None)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
    _stale.extend(sorted(expected))


def pytest_collection_finish(session: pytest.Session) -> None:
    _collected.append(len(session.items))


def _whole_suite(config: pytest.Config) -> bool:
    return not config.option.keyword and not config.option.markexpr and len(config.args) == 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    incomplete = _whole_suite(session.config) and _collected[:1] != [SUITE_SIZE]
    if (_stale or incomplete) and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    stats = terminalreporter.stats
    count = {key: len(stats.get(key, ())) for key in ("passed", "failed", "xfailed", "xpassed", "error", "skipped")}
    terminalreporter.write_sep("=", "Bottle's own test suite against demijohn")
    problems = [f"{count[key]} {label}" for key, label in (
        ("failed", "unexpected failures"), ("error", "errors"), ("skipped", "skipped"),
        ("xpassed", "listed tests now pass (remove them from expected_failures.toml)")) if count[key]]
    terminalreporter.write_line(f"bottle 0.13.4 suite: {count['passed']}/{SUITE_SIZE} passed, "
                                f"{count['xfailed']} expected failures" + "".join(f", {text}" for text in problems))
    if _whole_suite(config) and _collected and _collected[0] != SUITE_SIZE:
        terminalreporter.write_line(f"collected {_collected[0]} tests, not {SUITE_SIZE}: the suite did not load "
                                    "as a whole")
    for test_id in _stale:
        terminalreporter.write_line(f"expected_failures.toml lists {test_id!r}, which the suite does not have")
