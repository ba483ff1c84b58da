"""The core's plugin conformance kit, run over SQLAlchemyPlugin."""

from __future__ import annotations

import pytest

from demijohn_sqlalchemy import SQLAlchemyPlugin

conformance = pytest.importorskip(
    "demijohn.testing.conformance",
    reason="demijohn.testing.conformance (the core's plugin conformance kit) is not available",
)


class TestSQLAlchemyPluginConformance(conformance.PluginConformance):
    def make_plugin(self) -> SQLAlchemyPlugin:
        return SQLAlchemyPlugin("sqlite://")

    def make_callback(self):
        return lambda db: "ok"
