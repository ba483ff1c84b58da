"""The demijohn plugin conformance kit, run over CachePlugin on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from demijohn_cache import CachePlugin, MemoryBackend, RedisBackend

try:
    from demijohn.testing.conformance import PluginConformance
except ImportError:  # the kit ships with the core; this core does not have it yet
    pytest.skip("this demijohn has no demijohn.testing.conformance.PluginConformance yet", allow_module_level=True)


class TestCachePluginConformance(PluginConformance):  # type: ignore[misc,valid-type]
    route_config: ClassVar[dict[str, Any]] = {"cache": True}
    unconcerned_route_config: ClassVar[dict[str, Any] | None] = {}  # no `cache=`: left alone

    def make_plugin(self) -> CachePlugin:
        return CachePlugin(MemoryBackend())

    def make_conflicting_plugin(self) -> CachePlugin:
        return CachePlugin()  # claims the same `cache` route keyword


class TestCachePluginOnRedisConformance(TestCachePluginConformance):
    @pytest.fixture(autouse=True)
    def _redis(self, redis_url: str, redis_prefix: str) -> Iterator[None]:
        self.redis_url, self.redis_prefix = redis_url, redis_prefix
        self.backends: list[RedisBackend] = []
        yield
        for backend in self.backends:
            backend.clear()
            backend.close()

    def make_plugin(self) -> CachePlugin:
        # A prefix per plugin: the kit compares apps that must not share entries.
        backend = RedisBackend(self.redis_url, prefix=f"{self.redis_prefix}{len(self.backends)}:")
        self.backends.append(backend)
        return CachePlugin(backend)
