"""The demijohn plugin conformance kit, run over SessionPlugin."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import SECRET

from demijohn_session import CookieBackend, SessionPlugin

try:
    from demijohn.testing.conformance import PluginConformance
except ImportError:  # the kit ships with the core; older cores lack it
    pytest.skip("this demijohn has no demijohn.testing.conformance.PluginConformance yet", allow_module_level=True)


class TestSessionPluginConformance(PluginConformance):  # type: ignore[misc,valid-type]
    def make_plugin(self) -> SessionPlugin:
        return SessionPlugin(CookieBackend(SECRET))

    def make_callback(self) -> Any:
        def callback(session: Any) -> str:
            session["seen"] = True
            return "ok"

        return callback
