"""Storage backends for the cache: a bounded in-process LRU and Redis.

A backend stores opaque byte strings under string keys with a time to live, keeps
tag indexes so that groups of entries can be dropped at once, and hands out per-key
locks for stampede protection. Both backends are safe to share between threads.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

try:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry
except ModuleNotFoundError as missing:  # the [redis] extra is optional: MemoryBackend needs nothing
    if missing.name != "redis":
        raise
    redis = None  # type: ignore[assignment]

_NO_REDIS = "RedisBackend needs the Redis client, which is not installed: pip install 'demijohn-cache[redis]'"

__all__ = ["Backend", "CacheBackendError", "MemoryBackend", "RedisBackend"]


class CacheBackendError(Exception):
    """A backend could not be reached or failed; the plugin serves uncached meanwhile."""


@runtime_checkable
class Backend(Protocol):
    """What the plugin needs from a store. Raise `CacheBackendError` when it fails."""

    def get(self, key: str) -> bytes | None:
        """Return the value stored under `key`, or None when missing or expired."""

    def set(self, key: str, value: bytes, ttl: float, tags: Iterable[str] = ()) -> None:
        """Store `value` under `key` for `ttl` seconds and index it under each tag."""

    def delete(self, key: str) -> bool:
        """Drop one entry; return whether it existed."""

    def invalidate_tags(self, tags: Iterable[str]) -> int:
        """Drop every entry indexed under any of `tags`; return how many were dropped."""

    def clear(self) -> None:
        """Drop every entry this backend holds (under its prefix, for Redis)."""

    def acquire(self, key: str, timeout: float, wait: float) -> Any | None:
        """Take the lock for `key`, waiting up to `wait` seconds; return a token or None.

        The lock expires by itself after `timeout` seconds when the backend supports it.
        """

    def release(self, key: str, token: Any) -> None:
        """Give back a lock taken with `acquire`."""

    def close(self) -> None:
        """Free connections; the backend may be used again afterwards."""


class MemoryBackend:
    """A bounded LRU cache in this process's memory, thread-safe.

    Use it for one process, tests and demos; use `RedisBackend` when several
    processes or hosts must share entries. `max_entries` bounds the number of entries:
    the least recently used one is dropped first.
    """

    def __init__(self, max_entries: int = 1024) -> None:
        if not isinstance(max_entries, int) or isinstance(max_entries, bool) or max_entries < 1:
            raise ValueError(f"MemoryBackend(max_entries={max_entries!r}): pass a positive int")
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, bytes, tuple[str, ...]]] = OrderedDict()
        self._tags: dict[str, set[str]] = {}
        self._mutex = threading.Lock()
        self._locks: dict[str, list[Any]] = {}  # key -> [threading.Lock, users]
        self._locks_mutex = threading.Lock()

    def __len__(self) -> int:
        with self._mutex:
            return len(self._entries)

    def get(self, key: str) -> bytes | None:
        """Return the value under `key`, refreshing its LRU position, or None."""
        with self._mutex:
            item = self._entries.get(key)
            if item is None:
                return None
            if item[0] <= time.monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return item[1]

    def set(self, key: str, value: bytes, ttl: float, tags: Iterable[str] = ()) -> None:
        """Store `value` for `ttl` seconds, evicting least recently used entries."""
        tags = tuple(tags)
        with self._mutex:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (time.monotonic() + ttl, value, tags)
            for tag in tags:
                self._tags.setdefault(tag, set()).add(key)
            while len(self._entries) > self.max_entries:
                self._drop(next(iter(self._entries)))

    def delete(self, key: str) -> bool:
        """Drop one entry; return whether it existed."""
        with self._mutex:
            return self._drop(key)

    def invalidate_tags(self, tags: Iterable[str]) -> int:
        """Drop every entry indexed under any of `tags`."""
        dropped = 0
        with self._mutex:
            for tag in tags:
                for key in self._tags.pop(tag, set()):
                    dropped += self._drop(key)
        return dropped

    def clear(self) -> None:
        """Drop everything."""
        with self._mutex:
            self._entries.clear()
            self._tags.clear()

    def acquire(self, key: str, timeout: float, wait: float) -> Any | None:
        """Take the per-key lock, blocking up to `wait` seconds (`timeout` is unused here)."""
        with self._locks_mutex:
            slot = self._locks.setdefault(key, [threading.Lock(), 0])
            slot[1] += 1
        if slot[0].acquire(timeout=wait):
            return slot
        self._forget_lock(key, slot)
        return None

    def release(self, key: str, token: Any) -> None:
        """Release the per-key lock taken with `acquire`."""
        token[0].release()
        self._forget_lock(key, token)

    def close(self) -> None:
        """Nothing to free in memory."""

    def _forget_lock(self, key: str, slot: list[Any]) -> None:
        # Locks live only while someone holds or waits for them, so the dict stays small.
        with self._locks_mutex:
            slot[1] -= 1
            if slot[1] == 0 and self._locks.get(key) is slot:
                del self._locks[key]

    def _drop(self, key: str) -> bool:
        item = self._entries.pop(key, None)
        if item is None:
            return False
        for tag in item[2]:
            keys = self._tags.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._tags[tag]
        return True


# Store the value and add it to each tag set, stretching a tag set's life to the longest
# entry it indexes, in one atomic round trip.
_SET_SCRIPT = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local ttl = tonumber(ARGV[2])
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[3])
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1
"""

# Drop every entry of each tag set, then the sets themselves.
_INVALIDATE_SCRIPT = """
local dropped = 0
for i = 1, #KEYS do
  local members = redis.call('SMEMBERS', KEYS[i])
  for _, member in ipairs(members) do
    dropped = dropped + redis.call('DEL', ARGV[1] .. member)
  end
  redis.call('DEL', KEYS[i])
end
return dropped
"""

# Delete the lock only if it still holds our token (it may have expired and been retaken).
_RELEASE_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisBackend:
    """Entries in Redis, shared by every process and host that uses the same prefix.

    A hit is one `GET`; the time to live is Redis's own (`PX`); tag indexes are Redis
    sets kept alive as long as their longest entry; locks are `SET NX PX` with a
    random token. Pass a URL (`redis://127.0.0.1:6379/0`) or a ready `redis.Redis`
    client (its `decode_responses` must be False). With a URL the client gets short
    socket timeouts and one immediate retry, so an outage costs a request little.
    """

    def __init__(
        self,
        url_or_client: str | redis.Redis,
        prefix: str = "cache:",
        socket_timeout: float = 1.0,
        poll_interval: float = 0.005,
    ) -> None:
        if redis is None:
            raise ModuleNotFoundError(_NO_REDIS, name="redis")
        if isinstance(url_or_client, str):
            self.client = redis.Redis.from_url(
                url_or_client,
                socket_timeout=socket_timeout,
                socket_connect_timeout=socket_timeout,
                retry=Retry(NoBackoff(), 1),
            )
            self._owns_client = True
        elif isinstance(url_or_client, redis.Redis):
            if url_or_client.get_connection_kwargs().get("decode_responses"):
                raise ValueError(
                    "RedisBackend: the client decodes responses to str, which would corrupt "
                    "cached bodies; create it with decode_responses=False"
                )
            self.client = url_or_client
            self._owns_client = False
        else:
            raise TypeError(f"RedisBackend({url_or_client!r}): pass a redis:// URL or a redis.Redis client")
        if not isinstance(prefix, str) or not prefix:
            raise ValueError(f"RedisBackend(prefix={prefix!r}): pass a non-empty str")
        self.prefix = prefix
        self.poll_interval = poll_interval
        self._set = self.client.register_script(_SET_SCRIPT)
        self._invalidate = self.client.register_script(_INVALIDATE_SCRIPT)
        self._release = self.client.register_script(_RELEASE_SCRIPT)

    def get(self, key: str) -> bytes | None:
        """Return the value under `key` in one round trip, or None."""
        try:
            value = self.client.get(self.prefix + key)
        except redis.RedisError as error:
            raise CacheBackendError(f"Redis GET failed: {error}") from error
        return value  # type: ignore[return-value]  # bytes: decode_responses is refused above

    def set(self, key: str, value: bytes, ttl: float, tags: Iterable[str] = ()) -> None:
        """Store `value` with a Redis TTL and index it under each tag, atomically."""
        keys = [self.prefix + key] + [self._tag_key(tag) for tag in tags]
        try:
            self._set(keys=keys, args=[value, max(1, int(ttl * 1000)), key])
        except redis.RedisError as error:
            raise CacheBackendError(f"Redis SET failed: {error}") from error

    def delete(self, key: str) -> bool:
        """Drop one entry; return whether it existed."""
        try:
            return bool(self.client.delete(self.prefix + key))
        except redis.RedisError as error:
            raise CacheBackendError(f"Redis DEL failed: {error}") from error

    def invalidate_tags(self, tags: Iterable[str]) -> int:
        """Drop every entry indexed under any of `tags`, atomically."""
        keys = [self._tag_key(tag) for tag in tags]
        if not keys:
            return 0
        try:
            return int(self._invalidate(keys=keys, args=[self.prefix]))
        except redis.RedisError as error:
            raise CacheBackendError(f"Redis invalidation failed: {error}") from error

    def clear(self) -> None:
        """Drop every key under this backend's prefix (entries, tag sets and locks)."""
        pattern = "".join("\\" + c if c in "*?[]\\" else c for c in self.prefix) + "*"
        try:
            batch: list[bytes] = []
            for name in self.client.scan_iter(match=pattern, count=500):
                batch.append(name)
                if len(batch) >= 500:
                    self.client.unlink(*batch)
                    batch.clear()
            if batch:
                self.client.unlink(*batch)
        except redis.RedisError as error:
            raise CacheBackendError(f"Redis clear failed: {error}") from error

    def acquire(self, key: str, timeout: float, wait: float) -> Any | None:
        """Take the lock with `SET NX PX`, polling up to `wait` seconds; return the token."""
        token = os.urandom(16).hex()
        name = self._lock_key(key)
        deadline = time.monotonic() + wait
        delay = self.poll_interval
        try:
            while True:
                if self.client.set(name, token, nx=True, px=max(1, int(timeout * 1000))):
                    return token
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                time.sleep(min(delay, remaining))
                delay = min(delay * 2, 0.05)
        except redis.RedisError as error:
            raise CacheBackendError(f"Redis lock failed: {error}") from error

    def release(self, key: str, token: Any) -> None:
        """Release the lock if it is still ours."""
        try:
            self._release(keys=[self._lock_key(key)], args=[token])
        except redis.RedisError as error:
            raise CacheBackendError(f"Redis unlock failed: {error}") from error

    def close(self) -> None:
        """Disconnect the pool of a client this backend created; it reconnects on use."""
        if self._owns_client:
            self.client.connection_pool.disconnect()

    def _tag_key(self, tag: str) -> str:
        return f"{self.prefix}tag:{tag}"

    def _lock_key(self, key: str) -> str:
        return f"{self.prefix}lock:{key}"
