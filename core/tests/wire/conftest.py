"""The wire tests reuse the serving tests' process helpers (``serving_apps.harness``)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from typing import Iterator  # noqa: E402

import pytest  # noqa: E402

from wire_harness import WireServer, adapter_params  # noqa: E402


@pytest.fixture(scope="session", params=adapter_params())
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WireServer]:
    """``wire_app`` served by each adapter in turn (one server per adapter for the session)."""
    server = WireServer(request.param, tmp_path_factory.mktemp(f"wire-{request.param}"))
    yield server
    server.stop()
