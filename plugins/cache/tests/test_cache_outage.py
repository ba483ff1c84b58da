"""Redis stopped mid-test: requests still answer, uncached, and caching resumes."""

from __future__ import annotations

import logging
import time

import pytest
from demijohn import App
from demijohn.testing import Client
from demijohn_cache import CacheBackendError, CachePlugin, RedisBackend


def outage_app(url: str) -> tuple[App, CachePlugin, list[int]]:
    plugin = CachePlugin(RedisBackend(url, prefix="outage:", socket_timeout=0.5), retry_interval=0.05)
    app = App()
    app.install(plugin)
    calls: list[int] = []

    @app.get("/items", cache=True)
    def items() -> dict:
        calls.append(1)
        return {"items": [1, 2, 3]}

    return app, plugin, calls


def test_requests_are_served_uncached_while_redis_is_down_and_cached_after(throwaway_redis, caplog):
    app, plugin, calls = outage_app(throwaway_redis.url)
    client = Client(app)
    assert client.get("/items").headers["X-Cache"] == "MISS"
    assert client.get("/items").headers["X-Cache"] == "HIT"

    throwaway_redis.stop()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="demijohn_cache"):
        during = []
        for _ in range(5):
            during.append(client.get("/items"))
            time.sleep(0.06)  # past retry_interval, so each request probes Redis again
    assert [a.status_code for a in during] == [200] * 5
    assert [a.json for a in during] == [{"items": [1, 2, 3]}] * 5
    assert {a.headers["X-Cache"] for a in during} == {"MISS"}
    assert len(calls) == 1 + 5
    failures = [r for r in caplog.records if r.name == "demijohn_cache" and "failed" in r.getMessage()]
    assert len(failures) == 1, "an outage is logged once, not once per request"

    throwaway_redis.start()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="demijohn_cache"):
        deadline = time.monotonic() + 10
        outcomes: list[str] = []
        while time.monotonic() < deadline and outcomes[-1:] != ["HIT"]:
            outcomes.append(client.get("/items").headers["X-Cache"])
            time.sleep(0.06)
    assert outcomes[-1] == "HIT"
    assert any(r.name == "demijohn_cache" and "back" in r.getMessage() for r in caplog.records)
    plugin.clear()


def test_invalidation_during_an_outage_raises_instead_of_keeping_stale_entries(throwaway_redis):
    _app, plugin, _ = outage_app(throwaway_redis.url)
    throwaway_redis.stop()
    with pytest.raises(CacheBackendError, match="Redis"):
        plugin.invalidate(path="/items")
