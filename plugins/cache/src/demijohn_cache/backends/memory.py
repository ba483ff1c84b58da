"""A bounded in-process LRU with tag indexes and per-key locks, safe to share between threads."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, cast

__all__ = ["MemoryBackend"]


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

    def acquire(self, key: str, timeout: float, wait: float) -> object | None:
        """Take the per-key lock, blocking up to `wait` seconds (`timeout` is unused here)."""
        with self._locks_mutex:
            slot = self._locks.setdefault(key, [threading.Lock(), 0])
            slot[1] += 1
        if slot[0].acquire(timeout=wait):
            return slot
        self._forget_lock(key, slot)
        return None

    def release(self, key: str, token: object) -> None:
        """Release the per-key lock taken with `acquire`."""
        slot = cast("list[Any]", token)  # the [lock, users] pair acquire() returned
        slot[0].release()
        self._forget_lock(key, slot)

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
