"""Response caching for demijohn, in memory or in Redis, with stampede protection.

    from demijohn import App
    from demijohn_cache import CachePlugin, RedisBackend

    app = App()
    cache = app.install(CachePlugin(RedisBackend("redis://127.0.0.1:6379/0"), ttl=60))

    @app.get("/items", cache={"ttl": 30, "tags": ["items"]})
    def items():
        return {"items": load_items()}

    cache.invalidate(tags=["items"])     # after a write

Whole responses (status, headers, body) of GET and HEAD requests are stored for the
routes that opt in with the `cache` keyword. Requests that miss one key at the same time
run the callback once: the others wait on a per-key lock and are served its result.
"""

from __future__ import annotations

from .backends import Backend, CacheBackendError, MemoryBackend, RedisBackend
from .plugin import CachePlugin

__version__ = "0.1.0"
__all__ = [
    "Backend",
    "CacheBackendError",
    "CachePlugin",
    "MemoryBackend",
    "RedisBackend",
    "__version__",
]
