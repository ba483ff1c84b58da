"""The backends on their own: LRU bound, time to live, tags, locks."""

from __future__ import annotations

import threading
import time

import pytest
import redis
from demijohn_cache import MemoryBackend, RedisBackend


def test_memory_backend_drops_the_least_recently_used_entry():
    backend = MemoryBackend(max_entries=3)
    for key in "abc":
        backend.set(key, key.encode(), 60)
    backend.get("a")  # a is now the most recently used
    backend.set("d", b"d", 60)
    assert len(backend) == 3
    assert backend.get("b") is None
    assert [backend.get(k) for k in "acd"] == [b"a", b"c", b"d"]


def test_memory_backend_bound_holds_through_a_cached_route():
    from demijohn import App
    from demijohn.testing import Client
    from demijohn_cache import CachePlugin

    backend = MemoryBackend(max_entries=5)
    app = App()
    app.install(CachePlugin(backend))

    @app.get("/n/<n:int>", cache=True)
    def n(n: int) -> str:
        return str(n)

    client = Client(app)
    for i in range(20):
        client.get(f"/n/{i}")
    assert len(backend) == 5
    assert client.get("/n/19").headers["X-Cache"] == "HIT"
    assert client.get("/n/0").headers["X-Cache"] == "MISS"


def test_memory_backend_evicted_entries_leave_their_tags():
    backend = MemoryBackend(max_entries=1)
    backend.set("a", b"a", 60, tags=["t"])
    backend.set("b", b"b", 60, tags=["t"])
    assert backend.invalidate_tags(["t"]) == 1
    assert backend.get("b") is None


def test_entries_expire(backend):
    backend.set("short", b"v", 0.05)
    deadline = time.monotonic() + 5
    while backend.get("short") is not None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert backend.get("short") is None


def test_invalidate_tags_counts_dropped_entries(backend):
    backend.set("a", b"1", 60, tags=["x", "y"])
    backend.set("b", b"2", 60, tags=["y"])
    backend.set("c", b"3", 60)
    assert backend.invalidate_tags(["y"]) == 2
    assert backend.get("c") == b"3"
    assert backend.invalidate_tags(["x"]) == 0


def test_lock_is_exclusive_until_released(backend):
    token = backend.acquire("k", timeout=5, wait=0)
    assert token is not None
    got: list[object] = []
    waiter = threading.Thread(target=lambda: got.append(backend.acquire("k", timeout=5, wait=0.05)))
    waiter.start()
    waiter.join(5)
    assert got == [None]
    backend.release("k", token)
    second = backend.acquire("k", timeout=5, wait=0)
    assert second is not None
    backend.release("k", second)


def test_redis_lock_expires_when_its_holder_vanishes(redis_backend):
    assert redis_backend.acquire("k", timeout=0.05, wait=0) is not None
    assert redis_backend.acquire("k", timeout=5, wait=2) is not None


def test_redis_release_never_drops_someone_elses_lock(redis_backend):
    stale = redis_backend.acquire("k", timeout=0.05, wait=0)
    fresh = redis_backend.acquire("k", timeout=5, wait=2)
    redis_backend.release("k", stale)
    assert redis_backend.acquire("k", timeout=5, wait=0) is None
    redis_backend.release("k", fresh)


def test_redis_tag_sets_live_as_long_as_their_longest_entry(redis_backend):
    redis_backend.set("long", b"1", 60, tags=["t"])
    redis_backend.set("short", b"2", 1, tags=["t"])
    ttl_ms = redis_backend.client.pttl(redis_backend.prefix + "tag:t")
    assert ttl_ms > 30_000


def test_redis_clear_touches_only_its_own_prefix(redis_url, redis_backend):
    other = RedisBackend(redis_url, prefix=redis_backend.prefix + "other-")
    neighbour = RedisBackend(redis_url, prefix=redis_backend.prefix.rstrip(":") + "x:")
    try:
        redis_backend.set("a", b"1", 60)
        neighbour.set("a", b"2", 60)
        redis_backend.clear()
        assert redis_backend.get("a") is None
        assert neighbour.get("a") == b"2"
    finally:
        other.clear()
        neighbour.clear()


def test_redis_backend_accepts_a_ready_client(redis_url, redis_prefix):
    client = redis.Redis.from_url(redis_url)
    backend = RedisBackend(client, prefix=redis_prefix)
    try:
        backend.set("a", b"1", 60)
        assert backend.get("a") == b"1"
    finally:
        backend.clear()
        client.close()


def test_redis_backend_refuses_a_decoding_client(redis_url):
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        with pytest.raises(ValueError, match="decode_responses=False"):
            RedisBackend(client)
    finally:
        client.close()


def test_redis_backend_refuses_other_arguments():
    with pytest.raises(TypeError, match="redis:// URL"):
        RedisBackend(6379)  # type: ignore[arg-type]


class CountingRedis(redis.Redis):
    """A real client that records the commands it sends."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.commands: list[str] = []

    def execute_command(self, *args, **options):
        self.commands.append(str(args[0]))
        return super().execute_command(*args, **options)


def test_a_redis_hit_is_one_round_trip(redis_url, redis_prefix):
    from demijohn import App
    from demijohn.testing import Client
    from demijohn_cache import CachePlugin

    client = CountingRedis.from_url(redis_url)
    backend = RedisBackend(client, prefix=redis_prefix)
    app = App()
    app.install(CachePlugin(backend))

    @app.get("/one", cache=True)
    def one() -> str:
        return "one"

    try:
        http = Client(app)
        http.get("/one")
        client.commands.clear()
        assert http.get("/one").headers["X-Cache"] == "HIT"
        assert client.commands == ["GET"]
    finally:
        backend.clear()
        client.close()
