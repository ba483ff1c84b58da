"""Entries in Redis (the `demijohn-cache[redis]` extra), shared by every process using a prefix."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from demijohn.extras import import_extra, redis_client

from .base import CacheBackendError

if TYPE_CHECKING:
    import redis

__all__ = ["RedisBackend"]

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
        self.client: redis.Redis
        if isinstance(url_or_client, str):
            self.client, module = redis_client(url_or_client, socket_timeout, "demijohn-cache", "RedisBackend")
            self._owns_client = True
        else:
            module = import_extra("redis", "demijohn-cache", "redis", "RedisBackend")
            if not isinstance(url_or_client, module.Redis):
                raise TypeError(f"RedisBackend({url_or_client!r}): pass a redis:// URL or a redis.Redis client")
            if url_or_client.get_connection_kwargs().get("decode_responses"):
                raise ValueError(
                    "RedisBackend: the client decodes responses to str, which would corrupt "
                    "cached bodies; create it with decode_responses=False"
                )
            self.client = url_or_client
            self._owns_client = False
        self._errors: type[Exception] = module.RedisError
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
        except self._errors as error:
            raise CacheBackendError(f"Redis GET failed: {error}") from error
        return value  # type: ignore[return-value]  # bytes: decode_responses is refused above

    def set(self, key: str, value: bytes, ttl: float, tags: Iterable[str] = ()) -> None:
        """Store `value` with a Redis TTL and index it under each tag, atomically."""
        keys = [self.prefix + key] + [self._tag_key(tag) for tag in tags]
        try:
            self._set(keys=keys, args=[value, max(1, int(ttl * 1000)), key])
        except self._errors as error:
            raise CacheBackendError(f"Redis SET failed: {error}") from error

    def delete(self, key: str) -> bool:
        """Drop one entry; return whether it existed."""
        try:
            return bool(self.client.delete(self.prefix + key))
        except self._errors as error:
            raise CacheBackendError(f"Redis DEL failed: {error}") from error

    def invalidate_tags(self, tags: Iterable[str]) -> int:
        """Drop every entry indexed under any of `tags`, atomically."""
        keys = [self._tag_key(tag) for tag in tags]
        if not keys:
            return 0
        try:
            return int(self._invalidate(keys=keys, args=[self.prefix]))
        except self._errors as error:
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
        except self._errors as error:
            raise CacheBackendError(f"Redis clear failed: {error}") from error

    def acquire(self, key: str, timeout: float, wait: float) -> object | None:
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
        except self._errors as error:
            raise CacheBackendError(f"Redis lock failed: {error}") from error

    def release(self, key: str, token: object) -> None:
        """Release the lock if it is still ours."""
        try:
            self._release(keys=[self._lock_key(key)], args=[str(token)])  # the hex str acquire() returned
        except self._errors as error:
            raise CacheBackendError(f"Redis unlock failed: {error}") from error

    def close(self) -> None:
        """Disconnect the pool of a client this backend created; it reconnects on use."""
        if self._owns_client:
            self.client.connection_pool.disconnect()

    def _tag_key(self, tag: str) -> str:
        return f"{self.prefix}tag:{tag}"

    def _lock_key(self, key: str) -> str:
        return f"{self.prefix}lock:{key}"
