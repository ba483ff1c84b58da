"""Two server processes share one Redis: what one caches is a hit in the other."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from demijohn_cache import RedisBackend

SERVER = Path(__file__).with_name("cache_server.py")


def start_server(redis_url: str, prefix: str) -> tuple[subprocess.Popen[str], int]:
    """Start cache_server.py and read the port it prints, within a time limit."""
    process = subprocess.Popen(
        [sys.executable, str(SERVER), redis_url, prefix],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=20)
    if not line or not line[0].strip().isdigit():
        stop(process)
        raise RuntimeError(f"cache_server.py did not start: {process.stderr.read()[-2000:]}")
    return process, int(line[0])


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def fetch(port: int, path: str) -> tuple[int, dict[str, str], dict]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
        return answer.status, dict(answer.headers), json.loads(answer.read())


@pytest.fixture
def two_servers(redis_url: str, redis_prefix: str) -> Iterator[tuple[int, int]]:
    first, first_port = start_server(redis_url, redis_prefix)
    try:
        second, second_port = start_server(redis_url, redis_prefix)
    except BaseException:
        stop(first)
        raise
    try:
        yield first_port, second_port
    finally:
        stop(first)
        stop(second)
        RedisBackend(redis_url, prefix=redis_prefix).clear()


def test_a_response_cached_by_one_process_is_a_hit_in_the_other(two_servers):
    first_port, second_port = two_servers
    status, headers, body = fetch(first_port, "/who")
    assert (status, headers["X-Cache"]) == (200, "MISS")
    status, headers, shared = fetch(second_port, "/who")
    assert (status, headers["X-Cache"]) == (200, "HIT")
    assert shared == body  # the pid of the first process, served by the second
    _, _, own = fetch(second_port, "/who?fresh=1")
    assert own["pid"] != body["pid"]  # the two really are different processes
