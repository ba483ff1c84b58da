"""Stampede protection: concurrent misses of one key run the callback once."""

from __future__ import annotations

import threading
import time

from demijohn import App
from demijohn.testing import Client
from demijohn_cache import CachePlugin

THREADS = 20


def test_twenty_concurrent_misses_run_the_callback_once(backend):
    app = App()
    app.install(CachePlugin(backend))
    calls: list[int] = []
    calls_lock = threading.Lock()

    @app.get("/slow", cache=True)
    def slow() -> dict:
        with calls_lock:
            calls.append(1)
        time.sleep(0.1)  # long enough for every thread to miss before the entry exists
        return {"computed": True}

    Client(app).get("/slow?warm=up")  # builds route.call before the threads race
    calls.clear()
    start = threading.Barrier(THREADS)
    answers: list[object] = []

    def hit() -> None:
        client = Client(app)
        start.wait(timeout=10)
        answer = client.get("/slow")
        answers.append((answer.status_code, answer.json, answer.headers["X-Cache"]))

    threads = [threading.Thread(target=hit) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert len(calls) == 1
    assert len(answers) == THREADS
    assert all(status == 200 and body == {"computed": True} for status, body, _ in answers)
    assert sorted(outcome for _, _, outcome in answers).count("MISS") == 1


def test_memoize_is_protected_from_stampedes_too(backend):
    plugin = CachePlugin(backend)
    calls: list[int] = []
    calls_lock = threading.Lock()

    @plugin.memoize(ttl=30)
    def expensive(n: int) -> int:
        with calls_lock:
            calls.append(n)
        time.sleep(0.1)
        return n * 10

    start = threading.Barrier(THREADS)
    results: list[int] = []

    def call() -> None:
        start.wait(timeout=10)
        results.append(expensive(7))

    threads = [threading.Thread(target=call) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert calls == [7]
    assert results == [70] * THREADS


def test_waiters_serve_fresh_when_the_lock_holder_is_too_slow(backend):
    app = App()
    app.install(CachePlugin(backend, lock_wait=0.05))
    release, armed = threading.Event(), threading.Event()
    calls: list[str] = []

    @app.get("/stuck", cache=True)
    def stuck() -> str:
        calls.append("call")
        if armed.is_set() and len(calls) == 1:
            release.wait(timeout=10)  # the first caller hangs while holding the lock
        return "fresh"

    Client(app).get("/stuck?warm=up")
    calls.clear()
    armed.set()
    first = threading.Thread(target=lambda: Client(app).get("/stuck"))
    first.start()
    try:
        deadline = time.monotonic() + 5
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
        answer = Client(app).get("/stuck")
        assert answer.status_code == 200
        assert answer.text == "fresh"
        assert len(calls) == 2
    finally:
        release.set()
        first.join(timeout=10)
