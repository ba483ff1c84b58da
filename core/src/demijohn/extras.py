"""Optional dependencies of plugins (pip "extras"): imported when a feature needs them, with
a message naming the extra to install when they are missing.

A plugin imports and works without its optional clients; the backend that needs one calls
:func:`import_extra` when it is chosen::

    redis = import_extra("redis", "demijohn-cache", "redis", "RedisBackend")  # when it is chosen

and :func:`redis_client` builds the Redis client the first-party plugins share one way.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


def import_extra(module: str, package: str, extra: str, needed_by: str) -> ModuleType:
    """Import ``module`` (an optional dependency of ``package``, needed by the feature
    ``needed_by``), or raise ``ModuleNotFoundError`` saying in one line to
    ``pip install 'package[extra]'``. An import error inside the installed module itself
    is raised unchanged."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as missing:
        top = module.partition(".")[0]
        if missing.name not in (module, top):
            raise
        raise ModuleNotFoundError(f"{needed_by} needs {module}, which is not installed: "
                                  f"pip install '{package}[{extra}]'", name=top) from None


def redis_client(url: str, timeout: float, package: str, needed_by: str) -> tuple[Any, ModuleType]:
    """A client for the ``redis://`` ``url`` that answers fast while Redis is down: connect
    and socket timeouts of ``timeout`` seconds and one immediate retry (for a pooled socket
    the server closed) instead of redis-py's default backoff, which would hold a worker for
    seconds per request. Returns the client and the ``redis`` module (for its exceptions);
    a missing client names ``package``'s ``redis`` extra and ``needed_by``. (The client is typed ``Any``: the
    core is type-checked without redis-py installed; callers annotate it ``redis.Redis``.)"""
    module = import_extra("redis", package, "redis", needed_by)
    retry = importlib.import_module("redis.retry").Retry(importlib.import_module("redis.backoff").NoBackoff(), 1)
    return module.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout, retry=retry), module


__all__ = ["import_extra", "redis_client"]
