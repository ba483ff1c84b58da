"""What a session store provides, the errors of sessions, and what the stores share: JSON
(nothing a client sends is ever unpickled), secret keys and lifetimes checked one way."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

from demijohn import DemijohnError


log = logging.getLogger("demijohn_session")

#: Default lifetime of a session on the server side, in seconds (14 days).
DEFAULT_TTL = 14 * 24 * 3600

#: Shortest secret accepted, in characters: shorter keys can be brute-forced offline.
MIN_SECRET_LENGTH = 16

# 43 characters of secrets.token_urlsafe(32) = 256 random bits; accept a little range so
# ids minted by a future version with a longer token still load.
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{22,128}")


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


class JSONText:
    """itsdangerous serializer: JSON only, never pickle."""

    @staticmethod
    def dumps(data: Any) -> str:
        return dumps(data)

    @staticmethod
    def loads(text: str | bytes) -> Any:
        return json.loads(text)


def secret_keys(secret_or_secrets: str | bytes | Iterable[str | bytes], owner: str) -> list[bytes]:
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


def check_ttl(ttl: int | None, owner: str, allow_none: bool) -> None:
    if ttl is None and allow_none:
        return
    if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl <= 0:
        raise SessionError(f"{owner}: ttl must be a positive number of seconds, got {ttl!r}.")
