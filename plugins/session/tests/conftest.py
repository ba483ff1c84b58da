"""Fixtures: the shared test Redis, throwaway redis-servers, cookie helpers, a small app."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from http.cookies import Morsel, SimpleCookie
from pathlib import Path
from typing import Any

import pytest
import redis
from demijohn import App, request

from demijohn_session import SessionPlugin

REDIS_URL = os.environ.get("DEMIJOHN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "test-secret-7f1c9a2b4d6e8f00"
OLD_SECRET = "old-test-secret-0a1b2c3d4e5f"


def service_missing(reason: str) -> None:
    """Skip with ``reason``; in CI (CI=true) a missing service is a failure instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: a missing service fails the run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The shared test Redis (DEMIJOHN_TEST_REDIS_URL), checked once."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        service_missing(f"Redis at {REDIS_URL} does not answer: {error}")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client: redis.Redis) -> Iterator[str]:
    """A key prefix owned by this test alone; its keys are deleted afterwards."""
    owned = f"test:demijohn_session:{uuid.uuid4().hex}:"
    yield owned
    keys = list(redis_client.scan_iter(match=owned + "*"))
    if keys:
        redis_client.delete(*keys)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Terminate ``process`` and wait for it, killing it if it ignores SIGTERM for ``timeout`` s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


class RedisServer:
    """A throwaway redis-server on its own port, started and stopped by a test."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            service_missing("redis-server is not installed; it is needed to start a throwaway Redis")
        self.binary = str(binary)
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> None:
        command = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.directory),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        probe = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    probe.ping()
                    return
                except redis.RedisError as error:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        self.stop()
                        raise RuntimeError(f"throwaway redis-server did not start on port {self.port}") from error
                    time.sleep(0.05)
        finally:
            probe.close()

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=2, socket_timeout=2)


@pytest.fixture
def throwaway_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A running redis-server of this test's own, stopped at the end whatever happened."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def command_calls(client: redis.Redis, *commands: str) -> int:
    """How many times the server ran any of ``commands`` (from INFO commandstats)."""
    stats: dict[str, Any] = client.info("commandstats")
    return sum(int(stats.get(f"cmdstat_{name}", {}).get("calls", 0)) for name in commands)


def set_cookie(result: Any, name: str = "session") -> Morsel[str] | None:
    """The ``Set-Cookie`` for ``name`` in a test-client result, parsed; None if absent."""
    for header in result.headers.getall("Set-Cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        if name in jar:
            return jar[name]
    return None


def is_deletion(morsel: Morsel[str]) -> bool:
    """True when a Set-Cookie tells the browser to drop the cookie."""
    return morsel.value == "" or morsel["max-age"] in ("0", "-1")


def session_app(plugin: SessionPlugin) -> App:
    """An app with routes to write, read, regenerate and end the session."""
    app = App()
    app.install(plugin)

    @app.get("/set")
    def set_values(session: Any) -> dict[str, Any]:
        for key in request.query:
            session[key] = request.query.get(key)
        return {"id": session.id}

    @app.get("/get")
    def get_values(session: Any) -> dict[str, Any]:
        return {"data": dict(session), "new": session.new}

    @app.get("/regenerate")
    def regenerate(session: Any) -> dict[str, Any]:
        session.regenerate()
        return {"data": dict(session)}

    @app.get("/logout")
    def logout(session: Any) -> str:
        session.invalidate()
        return "bye"

    @app.get("/clear")
    def clear(session: Any) -> str:
        session.clear()
        return "cleared"

    @app.get("/untouched")
    def untouched() -> str:
        return "no session here"

    return app
