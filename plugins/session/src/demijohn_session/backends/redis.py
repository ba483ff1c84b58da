"""Only a random signed id in the cookie, the data in Redis (the `demijohn-session[redis]`
extra): every process and host behind a load balancer sees the same session."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from demijohn.extras import import_extra, redis_client
from itsdangerous import BadData, Signer

from .base import (
    DEFAULT_TTL,
    SESSION_ID,
    SessionBackendUnavailable,
    SessionEnded,
    SessionError,
    check_ttl,
    dumps,
    log,
    secret_keys,
)

if TYPE_CHECKING:
    import redis

__all__ = ["RedisBackend"]


class RedisBackend:
    """Keep the session data in Redis; the cookie holds only a random signed session id.

    ``url_or_client`` is a ``redis://`` URL or a ``redis.Redis`` client (its pool, timeouts
    and retries are then yours). Data lives under ``prefix + session_id`` with a TTL of
    ``ttl`` seconds, refreshed each time the session is read or written. The id (256 bits
    from :mod:`secrets`) is signed with ``secret_or_secrets`` (the first signs, all
    verify), so forged ids are refused without asking Redis. Every process sharing the
    Redis and the secret shares the sessions::

        RedisBackend("redis://127.0.0.1:6379/0", secret_or_secrets=os.environ["SESSION_SECRET"])
    """

    #: Namespace for id signatures, distinct from :attr:`CookieBackend.salt`.
    salt = "demijohn_session.redis"

    def __init__(
        self,
        url_or_client: str | redis.Redis,
        prefix: str = "session:",
        ttl: int = DEFAULT_TTL,
        *,
        secret_or_secrets: str | bytes | Iterable[str | bytes],
        timeout: float = 2.0,
    ) -> None:
        check_ttl(ttl, "RedisBackend", allow_none=False)
        if not isinstance(prefix, str):
            raise SessionError(f"RedisBackend: prefix must be a str such as 'session:', got {prefix!r}.")
        self.prefix = prefix
        self.ttl = ttl
        self._signer = Signer(secret_keys(secret_or_secrets, "RedisBackend"), salt=self.salt)
        self.client: redis.Redis
        if isinstance(url_or_client, str):
            self.client, module = redis_client(url_or_client, timeout, "demijohn-session", "RedisBackend")
            self._owns_client = True
        elif hasattr(url_or_client, "getex") and hasattr(url_or_client, "set"):
            module = import_extra("redis", "demijohn-session", "redis", "RedisBackend")
            self.client = url_or_client
            self._owns_client = False
        else:
            raise SessionError(
                f"RedisBackend needs a redis:// URL or a redis.Redis client, got {type(url_or_client).__name__}."
            )
        self._errors: type[Exception] = module.RedisError

    def key(self, session_id: str) -> str:
        """The Redis key holding ``session_id``'s data."""
        return self.prefix + session_id

    def load(self, cookie_value: str) -> tuple[str | None, dict[str, Any]] | None:
        """Verify the signed id, read its data and refresh its TTL; None if invalid or unknown."""
        try:
            session_id = self._signer.unsign(cookie_value).decode("ascii")
        except (BadData, ValueError, UnicodeError):
            return None
        if not SESSION_ID.fullmatch(session_id):
            return None
        try:
            raw = self.client.getex(self.key(session_id), ex=self.ttl)
        except self._errors as error:
            raise self._unavailable("read", error) from error
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            log.warning("session %s in Redis is not JSON; starting a fresh session", self.key(session_id))
            return None
        if not isinstance(data, dict):
            log.warning("session %s in Redis is not a JSON object; starting a fresh session", self.key(session_id))
            return None
        return session_id, data

    def save(self, session_id: str | None, data: dict[str, Any]) -> tuple[str | None, str]:
        """Write ``data`` with a fresh TTL (minting an id when there is none); return ``(id, cookie_value)``.

        An existing id is only overwritten while it is still stored (``SET ... XX``, one atomic
        command): if another request ended the session meanwhile (logout, ``regenerate()``)
        or it expired, :class:`SessionEnded` is raised and nothing is written, so the end wins.
        """
        new = session_id is None
        if session_id is None:
            session_id = secrets.token_urlsafe(32)
        try:
            written = self.client.set(self.key(session_id), dumps(data), ex=self.ttl, xx=not new)
        except self._errors as error:
            raise self._unavailable("write", error) from error
        if not written:
            raise SessionEnded(f"session {self.key(session_id)} was ended by another request (or expired) "
                               "while this one ran; its changes were not saved.")
        return session_id, self._signer.sign(session_id).decode("ascii")

    def delete(self, session_id: str) -> None:
        """Delete the data stored under ``session_id``."""
        try:
            self.client.delete(self.key(session_id))
        except self._errors as error:
            raise self._unavailable("delete", error) from error

    def close(self) -> None:
        """Close the connection pool if this backend created the client from a URL."""
        if self._owns_client:
            self.client.close()

    def _unavailable(self, action: str, error: Exception) -> SessionBackendUnavailable:
        return SessionBackendUnavailable(
            f"RedisBackend could not {action} a session: {type(error).__name__}: {error}. "
            "Check that Redis is running and reachable at the configured URL."
        )
