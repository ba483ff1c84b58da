"""Session stores: where a session's data lives between requests.

A backend turns a cookie value into ``(session_id, data)`` and back. Two ship here:

- :class:`CookieBackend` keeps the whole session in the cookie, signed and timestamped with
  itsdangerous. Nothing is stored on the server.
- :class:`RedisBackend` keeps only a random signed id in the cookie and the data in Redis,
  so every process and host behind a load balancer sees the same session.

Both serialise with JSON and nothing else: a client can send any bytes in a cookie, so
nothing a client sends is ever unpickled.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

from demijohn import DemijohnError
from itsdangerous import BadData, Signer, URLSafeTimedSerializer

try:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry
except ModuleNotFoundError as missing:  # the [redis] extra is optional: CookieBackend needs nothing
    if missing.name != "redis":
        raise
    redis = None  # type: ignore[assignment]

_NO_REDIS = "RedisBackend needs the Redis client, which is not installed: pip install 'demijohn-session[redis]'"

__all__ = [
    "DEFAULT_TTL",
    "CookieBackend",
    "RedisBackend",
    "SessionBackend",
    "SessionBackendUnavailable",
    "SessionEnded",
    "SessionError",
    "SessionTooLarge",
]

log = logging.getLogger("demijohn_session")

#: Default lifetime of a session on the server side, in seconds (14 days).
DEFAULT_TTL = 14 * 24 * 3600

#: Shortest secret accepted, in characters: shorter keys can be brute-forced offline.
MIN_SECRET_LENGTH = 16

# 43 characters of secrets.token_urlsafe(32) = 256 random bits; accept a little range so
# ids minted by a future version with a longer token still load.
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{22,128}")


class SessionError(DemijohnError):
    """A session could not be used as asked; the message says what was wrong and how to fix it."""


class SessionTooLarge(SessionError):
    """The encoded session does not fit in a cookie (browsers keep at most 4096 bytes)."""


class SessionBackendUnavailable(SessionError):
    """The session store did not answer; routes that need the session answer 503."""


class SessionEnded(SessionError):
    """The session was ended (logged out, moved to a new id, expired) by the time this
    request saved it: the store refuses to bring it back, and the request's changes are dropped."""


@runtime_checkable
class SessionBackend(Protocol):
    """What :class:`~demijohn_session.SessionPlugin` needs from a session store."""

    def load(self, cookie_value: str) -> tuple[str | None, dict[str, Any]] | None:
        """Return ``(session_id, data)`` for a cookie value, or None if it is invalid, expired or unknown."""
        ...

    def save(self, session_id: str | None, data: dict[str, Any]) -> tuple[str | None, str]:
        """Store ``data`` (under a new id when ``session_id`` is None); return ``(session_id, cookie_value)``.
        A store that keeps sessions raises :class:`SessionEnded` when ``session_id`` is no
        longer stored, so that a request in flight never brings back a session that was ended."""
        ...

    def delete(self, session_id: str) -> None:
        """Forget the data stored under ``session_id``."""
        ...

    def close(self) -> None:
        """Release connections the backend opened itself."""
        ...


def dumps(data: Any) -> str:
    """Encode session data as compact JSON with sorted keys (so equal data encodes equally)."""
    return json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False, allow_nan=False)


class _JSON:
    """itsdangerous serializer: JSON only, never pickle."""

    @staticmethod
    def dumps(data: Any) -> str:
        return dumps(data)

    @staticmethod
    def loads(text: str | bytes) -> Any:
        return json.loads(text)


def _secret_keys(secret_or_secrets: str | bytes | Iterable[str | bytes], owner: str) -> list[bytes]:
    """Validate secrets and order them for itsdangerous, which signs with the LAST key."""
    if isinstance(secret_or_secrets, (str, bytes)):
        keys: list[str | bytes] = [secret_or_secrets]
    else:
        keys = list(secret_or_secrets)
    if not keys:
        raise SessionError(f"{owner} needs at least one secret; pass secret_or_secrets='<random string>'.")
    for key in keys:
        if not isinstance(key, (str, bytes)):
            raise SessionError(f"{owner}: every secret must be str or bytes, got {type(key).__name__}.")
        if len(key) < MIN_SECRET_LENGTH:
            raise SessionError(
                f"{owner}: a secret of {len(key)} characters is too short to sign sessions; use at least "
                f"{MIN_SECRET_LENGTH}, for example secrets.token_urlsafe(32), and keep it out of the source."
            )
    return [key.encode() if isinstance(key, str) else key for key in reversed(keys)]


def _check_ttl(ttl: int | None, owner: str, allow_none: bool) -> None:
    if ttl is None and allow_none:
        return
    if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl <= 0:
        raise SessionError(f"{owner}: ttl must be a positive number of seconds, got {ttl!r}.")


class CookieBackend:
    """Keep the whole session in the cookie, JSON-encoded, signed and timestamped.

    ``secret_or_secrets`` is one secret or a list: the first signs, all verify, so a new key
    goes first and an old one stays listed until the cookies it signed have expired.
    Cookies older than ``ttl`` seconds (default 14 days; None for no limit) load as a fresh
    session. Use it when sessions are small and no server-side store is wanted::

        SessionPlugin(CookieBackend([os.environ["NEW_SECRET"], os.environ["OLD_SECRET"]]))
    """

    #: Namespace for signatures, so a session cookie is never valid as another signed value.
    salt = "demijohn_session.cookie"

    def __init__(
        self,
        secret_or_secrets: str | bytes | Iterable[str | bytes],
        *,
        ttl: int | None = DEFAULT_TTL,
    ) -> None:
        _check_ttl(ttl, "CookieBackend", allow_none=True)
        self.ttl = ttl
        self._serializer = URLSafeTimedSerializer(
            _secret_keys(secret_or_secrets, "CookieBackend"), salt=self.salt, serializer=_JSON
        )

    def load(self, cookie_value: str) -> tuple[str | None, dict[str, Any]] | None:
        """Verify the signature and age of ``cookie_value`` and return ``(None, data)``, or None."""
        try:
            data = self._serializer.loads(cookie_value, max_age=self.ttl)
        except (BadData, ValueError, UnicodeError):
            return None
        if not isinstance(data, dict):
            return None
        return None, data

    def save(self, session_id: str | None, data: dict[str, Any]) -> tuple[str | None, str]:
        """Sign ``data`` with the first secret and the current time; return ``(None, cookie_value)``."""
        value = self._serializer.dumps(data)
        return None, value if isinstance(value, str) else value.decode("ascii")

    def delete(self, session_id: str) -> None:
        """Nothing is stored on the server; dropping the cookie is the plugin's job."""

    def close(self) -> None:
        """Nothing to release."""


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
        if redis is None:
            raise ModuleNotFoundError(_NO_REDIS, name="redis")
        _check_ttl(ttl, "RedisBackend", allow_none=False)
        if not isinstance(prefix, str):
            raise SessionError(f"RedisBackend: prefix must be a str such as 'session:', got {prefix!r}.")
        self.prefix = prefix
        self.ttl = ttl
        self._signer = Signer(_secret_keys(secret_or_secrets, "RedisBackend"), salt=self.salt)
        if isinstance(url_or_client, str):
            # Our own client answers fast when Redis is down: bounded timeouts and one
            # immediate retry (for a pooled socket the server closed) instead of redis-py's
            # default exponential backoff, which would hold a worker for seconds per request.
            self.client = redis.Redis.from_url(
                url_or_client,
                socket_connect_timeout=timeout,
                socket_timeout=timeout,
                retry=Retry(NoBackoff(), 1),
            )
            self._owns_client = True
        elif hasattr(url_or_client, "getex") and hasattr(url_or_client, "set"):
            self.client = url_or_client
            self._owns_client = False
        else:
            raise SessionError(
                f"RedisBackend needs a redis:// URL or a redis.Redis client, got {type(url_or_client).__name__}."
            )

    def key(self, session_id: str) -> str:
        """The Redis key holding ``session_id``'s data."""
        return self.prefix + session_id

    def load(self, cookie_value: str) -> tuple[str | None, dict[str, Any]] | None:
        """Verify the signed id, read its data and refresh its TTL; None if invalid or unknown."""
        try:
            session_id = self._signer.unsign(cookie_value).decode("ascii")
        except (BadData, ValueError, UnicodeError):
            return None
        if not _SESSION_ID.fullmatch(session_id):
            return None
        try:
            raw = self.client.getex(self.key(session_id), ex=self.ttl)
        except redis.RedisError as error:
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
        except redis.RedisError as error:
            raise self._unavailable("write", error) from error
        if not written:
            raise SessionEnded(f"session {self.key(session_id)} was ended by another request (or expired) "
                               "while this one ran; its changes were not saved.")
        return session_id, self._signer.sign(session_id).decode("ascii")

    def delete(self, session_id: str) -> None:
        """Delete the data stored under ``session_id``."""
        try:
            self.client.delete(self.key(session_id))
        except redis.RedisError as error:
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
