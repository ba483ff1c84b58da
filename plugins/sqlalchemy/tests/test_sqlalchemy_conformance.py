"""The core's plugin conformance kit, run over SQLAlchemyPlugin."""

from __future__ import annotations

import pytest

from demijohn_sqlalchemy import SQLAlchemyPlugin

conformance = pytest.importorskip(
    "demijohn.testing.conformance",
    reason="demijohn.testing.conformance (the core's plugin conformance kit) is not available",
)
if not hasattr(conformance, "PluginConformance"):
    pytest.skip(
        "the core's conformance kit has no PluginConformance yet; "
        "tests/test_sqlalchemy_protocol.py covers the protocol meanwhile",
        allow_module_level=True,
    )


class TestSQLAlchemyPluginConformance(conformance.PluginConformance):  # type: ignore[misc,name-defined]
    def make_plugin(self) -> SQLAlchemyPlugin:
        return SQLAlchemyPlugin("sqlite://")

    def make_callback(self):
        return lambda db: "ok"
