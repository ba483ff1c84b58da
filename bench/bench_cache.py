"""Throughput of a cached route (HIT) against the same route uncached, for both backends.

The handler costs about 1 ms (a sleep, like a quick database query). Requests go
straight through the WSGI callable in this process, so the numbers measure the
framework and the cache, not a server or a socket.

    python bench/bench_cache.py [--seconds 2] [--redis redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import uuid
from collections.abc import Callable
from wsgiref.util import setup_testing_defaults

from demijohn import App
from demijohn_cache import CachePlugin, MemoryBackend, RedisBackend


def build_app(plugin: CachePlugin) -> App:
    app = App()
    app.install(plugin)

    def handler() -> dict:
        time.sleep(0.001)
        return {"items": list(range(20))}

    app.route("/uncached", callback=handler)
    app.route("/floor", callback=lambda: b"constant")  # no work at all: the framework's own cost
    app.route("/cached", callback=handler, cache={"ttl": 600})
    return app


def environ_for(path: str) -> dict:
    environ: dict = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "QUERY_STRING": ""}
    setup_testing_defaults(environ)
    environ["wsgi.input"] = io.BytesIO()
    return environ


def measure(app: App, path: str, seconds: float) -> float:
    """Requests per second for `path` over about `seconds`."""
    template = environ_for(path)
    statuses: list[str] = []

    def start_response(status: str, headers: list, exc_info: object = None) -> Callable:
        statuses.append(status)
        return lambda data: None

    def one() -> None:
        body = app(dict(template), start_response)
        for _ in body:
            pass
        if hasattr(body, "close"):
            body.close()

    one()  # warm up: builds route.call and, for /cached, fills the entry
    statuses.clear()
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        for _ in range(50):
            one()
        count += 50
        if time.perf_counter() >= deadline:
            break
    elapsed = time.perf_counter() - started
    if any(not status.startswith("200") for status in statuses):
        sys.exit(f"{path} answered {set(statuses)}; the benchmark is not valid")
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument(
        "--redis",
        default=os.environ.get("DEMIJOHN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
    options = parser.parse_args()
    rows = []
    memory_app = build_app(CachePlugin(MemoryBackend()))
    uncached = measure(memory_app, "/uncached", options.seconds)
    rows.append(("uncached (handler ~1 ms)", uncached))
    rows.append(("HIT, MemoryBackend", measure(memory_app, "/cached", options.seconds)))
    rows.append(("no-op route (floor)", measure(memory_app, "/floor", options.seconds)))
    backend = RedisBackend(options.redis, prefix=f"bench:{uuid.uuid4().hex[:8]}:")
    try:
        rows.append(("HIT, RedisBackend", measure(build_app(CachePlugin(backend)), "/cached", options.seconds)))
    finally:
        backend.clear()
        backend.close()
    print(f"{'scenario':<28}{'req/s':>10}{'vs uncached':>14}")
    for label, rate in rows:
        print(f"{label:<28}{rate:>10.0f}{rate / uncached:>13.1f}x")


if __name__ == "__main__":
    main()
