"""Shared fixtures of the reliability suite: size switch (CI or figures), the figures
record, the notes app on embedded defaults, and PostgreSQL/Redis settings of its own.

``pytest reliability`` runs the CI size; ``pytest reliability --full`` (or
``RELIABILITY_FULL=1``) the size the figures in ``docs/reliability.md`` come from;
``--figures PATH`` writes what was measured as JSON."""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
NOTES_DIR = ROOT / "examples" / "notes"
sys.path.insert(0, str(NOTES_DIR))  # `import notes`
sys.path.insert(0, str(Path(__file__).resolve().parent))  # `import driver`

IN_CI = os.environ.get("CI", "").lower() == "true"
FULL = os.environ.get("RELIABILITY_FULL", "") not in ("", "0")

# Hypothesis sizes: CI keeps each property to a couple of hundred inputs; --full is for the figures.
_COMMON = {"deadline": 2000, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much,
                                                        HealthCheck.function_scoped_fixture,
                                                        HealthCheck.data_too_large],
           "derandomize": False, "print_blob": True}
settings.register_profile("reliability-ci", max_examples=200, **_COMMON)
settings.register_profile("reliability-full", max_examples=2000, **_COMMON)
settings.load_profile("reliability-full" if FULL else "reliability-ci")

_FIGURES: dict[str, Any] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--full", action="store_true", help="figures size: more fuzz inputs, more load")
    parser.addoption("--figures", metavar="PATH", help="write the measured figures as JSON to PATH")


def pytest_configure(config: pytest.Config) -> None:
    global FULL
    if config.getoption("--full"):
        FULL = True
        os.environ["RELIABILITY_FULL"] = "1"
        settings.load_profile("reliability-full")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = session.config.getoption("--figures")
    if path and _FIGURES:
        record = {"size": "full" if FULL else "ci", "finished_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
                  "exit_status": int(exitstatus), "figures": _FIGURES}
        Path(path).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")


def service_missing(reason: str) -> None:
    """Skip for a missing service, but fail in CI where every service must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def figures() -> dict[str, Any]:
    """A dict the tests put their measured numbers in (written by ``--figures``)."""
    return _FIGURES


@pytest.fixture(scope="session")
def full_size() -> bool:
    """True for the figures run (``--full``)."""
    return FULL


@pytest.fixture(scope="module")
def embedded_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The notes app on SQLite, signed-cookie sessions and the memory cache."""
    from notes import Settings, create_app

    folder = tmp_path_factory.mktemp("notes")
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'notes.sqlite3'}",
                              secret=secrets.token_urlsafe(32), scrypt_n=16))
    yield app
    app.close()
