"""Storage backends for the cache: a bounded in-process LRU (`memory`) and Redis (`redis`,
with the `demijohn-cache[redis]` extra).

A backend stores opaque byte strings under string keys with a time to live, keeps
tag indexes so that groups of entries can be dropped at once, and hands out per-key
locks for stampede protection. Both backends are safe to share between threads.
"""

from __future__ import annotations

from .base import Backend, CacheBackendError
from .memory import MemoryBackend
from .redis import RedisBackend

__all__ = ["Backend", "CacheBackendError", "MemoryBackend", "RedisBackend"]
