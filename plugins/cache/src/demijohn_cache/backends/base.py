"""What a cache backend provides, and the error it raises when its store is unreachable."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

__all__ = ["Backend", "CacheBackendError"]


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

    def acquire(self, key: str, timeout: float, wait: float) -> object | None:
        """Take the lock for `key`, waiting up to `wait` seconds; return a token or None.

        The lock expires by itself after `timeout` seconds when the backend supports it.
        """

    def release(self, key: str, token: object) -> None:
        """Give back a lock taken with `acquire`."""

    def close(self) -> None:
        """Free connections; the backend may be used again afterwards."""
