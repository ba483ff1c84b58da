"""The demijohn plugin conformance kit, run over SessionPlugin."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from conftest import SECRET

from demijohn_session import CookieBackend, RedisBackend, SessionPlugin

try:
    from demijohn.testing.conformance import PluginConformance
except ImportError:  # the kit ships with the core; older cores lack it
    pytest.skip("this demijohn has no demijohn.testing.conformance.PluginConformance yet", allow_module_level=True)


class TestSessionPluginConformance(PluginConformance):  # type: ignore[misc,valid-type]
    unconcerned_route_config: ClassVar[dict[str, Any] | None] = {"session": False}

    def make_plugin(self) -> SessionPlugin:
        return SessionPlugin(CookieBackend(SECRET))

    def make_conflicting_plugin(self) -> SessionPlugin:
        return SessionPlugin(CookieBackend(SECRET), cookie_name="other_session")  # same keyword

    def make_callback(self) -> Any:
        def callback(session: Any) -> str:
            session["seen"] = True
            return "ok"

        return callback


class TestRedisSessionPluginConformance(TestSessionPluginConformance):
    """The same rules with sessions stored in the test Redis."""

    @pytest.fixture(autouse=True)
    def _redis_store(self, redis_url: str, prefix: str) -> None:
        self.redis_url, self.prefix = redis_url, prefix

    def make_plugin(self) -> SessionPlugin:
        return SessionPlugin(RedisBackend(self.redis_url, self.prefix, 60, secret_or_secrets=SECRET))
