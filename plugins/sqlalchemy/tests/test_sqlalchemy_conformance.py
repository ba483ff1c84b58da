"""The core's plugin conformance kit, run over SQLAlchemyPlugin."""

from __future__ import annotations

from typing import Any

import pytest

from demijohn_sqlalchemy import SQLAlchemyPlugin

conformance = pytest.importorskip(
    "demijohn.testing.conformance",
    reason="demijohn.testing.conformance (the core's plugin conformance kit) is not available",
)


class TestSQLAlchemyPluginConformance(conformance.PluginConformance):  # type: ignore[misc,name-defined]
    #: A route whose callback has no `db` argument is not the plugin's concern.
    unconcerned_route_config: dict[str, Any] = {}

    def make_plugin(self) -> SQLAlchemyPlugin:
        return SQLAlchemyPlugin("sqlite://")

    def make_callback(self):
        def callback(db):
            """Uses its session, so the request really opens and ends a transaction."""
            return str(db.connection().exec_driver_sql("SELECT 1").scalar())

        return callback

    def make_conflicting_plugin(self) -> SQLAlchemyPlugin:
        # Same keyword `db`, another name: installing it next to the first must fail.
        return SQLAlchemyPlugin("sqlite://", name="sqlalchemy_2")
