"""Several real server processes sharing one Redis, and a Redis that goes away and comes back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import RedisServer
from processes import AppProcess

StartApp = Callable[[str, str], AppProcess]


@pytest.fixture
def start_app(tmp_path: Path) -> Iterator[StartApp]:
    """Start serve_app.py processes; every one is stopped when the test ends."""
    started: list[AppProcess] = []

    def start(redis_url: str, prefix: str) -> AppProcess:
        process = AppProcess(redis_url, prefix, tmp_path / f"app-{len(started)}.log")
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def test_session_written_through_one_process_is_read_through_another(redis_url: str, prefix: str, start_app: StartApp) -> None:
    first, second = start_app(redis_url, prefix), start_app(redis_url, prefix)
    assert first.pid != second.pid
    status, cookie, body = first.get("/set?key=user&value=ada")
    assert status == 200 and cookie and body["pid"] == first.pid
    status, _, body = second.get("/get?key=user", cookie)
    assert (status, body) == (200, {"pid": second.pid, "value": "ada"})


def test_change_made_in_second_process_is_seen_by_the_first(redis_url: str, prefix: str, start_app: StartApp) -> None:
    first, second = start_app(redis_url, prefix), start_app(redis_url, prefix)
    _, cookie, _ = first.get("/set?key=user&value=ada")
    second.get("/set?key=user&value=grace", cookie)
    assert first.get("/get?key=user", cookie)[2] == {"pid": first.pid, "value": "grace"}


def test_redis_outage_gives_503_then_recovers_without_crashing_the_worker(tmp_path: Path, start_app: StartApp) -> None:
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    try:
        app = start_app(redis_server.url, "outage:")
        status, cookie, _ = app.get("/set?key=user&value=ada")
        assert status == 200 and cookie

        redis_server.stop()
        down = app.get("/get?key=user", cookie)
        assert down[0] == 503 and "session store is unavailable" in str(down[2])
        assert app.get("/set?key=user&value=x", cookie)[0] == 503
        assert app.get("/health")[0] == 200
        status, _, body = app.get("/optional?key=user", cookie)
        assert (status, body["value"]) == (200, None)

        redis_server.start()  # same port; --save '' so the old data is gone
        status, new_cookie, _ = app.get("/set?key=user&value=grace", cookie)
        assert status == 200 and new_cookie
        assert app.get("/get?key=user", new_cookie)[2] == {"pid": app.pid, "value": "grace"}
        assert app.alive
    finally:
        redis_server.stop()
