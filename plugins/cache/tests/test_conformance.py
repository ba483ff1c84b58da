"""The demijohn plugin conformance kit, run over CachePlugin."""

from __future__ import annotations

import pytest

from demijohn_cache import CachePlugin, MemoryBackend

try:
    from demijohn.testing.conformance import PluginConformance
except ImportError:  # the kit ships with the core; this core does not have it yet
    pytest.skip("this demijohn has no demijohn.testing.conformance.PluginConformance yet", allow_module_level=True)


class TestCachePluginConformance(PluginConformance):  # type: ignore[misc,valid-type]
    def make_plugin(self) -> CachePlugin:
        # all_routes: the kit's routes carry no `cache=` keyword, and the plugin must wrap
        # them for the kit to exercise it; `skip` still leaves them untouched.
        return CachePlugin(MemoryBackend(), all_routes=True)
