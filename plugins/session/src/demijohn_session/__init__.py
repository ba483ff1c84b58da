"""Sessions for demijohn: a dict per visitor, kept in a signed cookie or in Redis.

::

    app.install(SessionPlugin(RedisBackend(url, secret_or_secrets=SECRET)))

    @app.post("/login")
    def login(session):
        session.regenerate()            # new id on login, against session fixation
        session["user"] = request.forms.user
        return "hello"

The session is on ``request.session`` in every route the plugin applies to, and is passed
to callbacks that take a ``session`` argument. It is loaded on first use (a request that
never touches it costs no backend call) and saved only when it changed.
"""

from __future__ import annotations

from .backends import (
    DEFAULT_TTL,
    CookieBackend,
    RedisBackend,
    SessionBackend,
    SessionBackendUnavailable,
    SessionEnded,
    SessionError,
    SessionTooLarge,
)
from .plugin import SessionPlugin
from .session import Session

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_TTL",
    "CookieBackend",
    "RedisBackend",
    "Session",
    "SessionBackend",
    "SessionBackendUnavailable",
    "SessionEnded",
    "SessionError",
    "SessionPlugin",
    "SessionTooLarge",
    "__version__",
]
