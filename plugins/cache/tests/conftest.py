"""Shared fixtures: the real Redis, a throwaway redis-server, and both backends."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from demijohn_cache import MemoryBackend, RedisBackend

REDIS_URL = os.environ.get("DEMIJOHN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def unavailable(reason: str) -> None:
    """Skip for a missing service, except in CI where it is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)")
    pytest.skip(reason)


_redis_problem: list[str] = []  # checked once per run, whatever the outcome


def redis_problem() -> str | None:
    """Why the test Redis cannot be used, or None when it answers."""
    if not _redis_problem:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1, retry=Retry(NoBackoff(), 0))
        try:
            client.ping()
            _redis_problem.append("")
        except redis.RedisError as error:
            _redis_problem.append(f"Redis at {REDIS_URL} does not answer: {error}")
        finally:
            client.close()
    return _redis_problem[0] or None


@pytest.fixture
def redis_url() -> str:
    """The test Redis URL, after checking that it answers."""
    problem = redis_problem()
    if problem:
        unavailable(problem)
    return REDIS_URL


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix owned by one test."""
    return f"djc-test:{uuid.uuid4().hex[:12]}:"


@pytest.fixture
def redis_backend(redis_url: str, redis_prefix: str) -> Iterator[RedisBackend]:
    """A RedisBackend on the test Redis, emptied after the test."""
    backend = RedisBackend(redis_url, prefix=redis_prefix)
    yield backend
    backend.clear()
    backend.close()


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> MemoryBackend | RedisBackend:
    """Each test using it runs once per backend."""
    if request.param == "memory":
        return MemoryBackend(max_entries=100)
    return request.getfixturevalue("redis_backend")


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThrowawayRedis:
    """A redis-server on a free port, without persistence, that a test starts and stops."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2, socket_timeout=0.2)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.RedisError:
                    if time.monotonic() > deadline or self.process.poll() is not None:
                        self.stop()
                        raise RuntimeError(f"redis-server on port {self.port} did not start")
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None


@pytest.fixture
def throwaway_redis() -> Iterator[ThrowawayRedis]:
    """A running throwaway redis-server, always stopped after the test."""
    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed; the outage test needs to start one")
    server = ThrowawayRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()
