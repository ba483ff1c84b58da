"""Session stores: where a session's data lives between requests.

A backend turns a cookie value into ``(session_id, data)`` and back. Two ship here:

- :class:`CookieBackend` (``cookie``) keeps the whole session in the cookie, signed and
  timestamped with itsdangerous. Nothing is stored on the server.
- :class:`RedisBackend` (``redis``, with the ``demijohn-session[redis]`` extra) keeps only a
  random signed id in the cookie and the data in Redis, so every process and host behind a
  load balancer sees the same session.

Both serialise with JSON and nothing else: a client can send any bytes in a cookie, so
nothing a client sends is ever unpickled.
"""

from __future__ import annotations

from .base import (
    DEFAULT_TTL,
    SessionBackend,
    SessionBackendUnavailable,
    SessionEnded,
    SessionError,
    SessionTooLarge,
    dumps,
)
from .cookie import CookieBackend
from .redis import RedisBackend

__all__ = [
    "DEFAULT_TTL",
    "CookieBackend",
    "RedisBackend",
    "SessionBackend",
    "SessionBackendUnavailable",
    "SessionEnded",
    "SessionError",
    "SessionTooLarge",
    "dumps",
]
