"""Helpers of the third-party scenarios: which runtime runs them, and how a missing
service or a known gap of demijohn's is reported."""

from __future__ import annotations

import os
from typing import Any

import pytest


def on_demijohn() -> bool:
    """Whether ``import bottle`` gives demijohn in this run (``--runtime``, set by conftest)."""
    return os.environ.get("THIRDPARTY_RUNTIME", "demijohn") == "demijohn"


def service_unavailable(reason: str) -> None:
    """Skip with ``reason`` (a service is down), or fail under ``CI=true``."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the services must run)", pytrace=False)
    pytest.skip(reason)


def demijohn_gap(present: bool, reason: str) -> Any:
    """Mark a scenario that fails on demijohn while ``present`` (a gap the core is closing,
    named in ``reason``): a strict xfail, so the mark must go as soon as the gap is closed.
    On real Bottle, and once the gap is closed, the scenario runs as any other."""
    return pytest.mark.xfail(on_demijohn() and present, reason=f"demijohn gap: {reason}", strict=True)
