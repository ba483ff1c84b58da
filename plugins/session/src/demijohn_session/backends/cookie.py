"""The whole session in the cookie, signed and timestamped with itsdangerous: nothing is
stored on the server."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer

from .base import DEFAULT_TTL, JSONText, check_ttl, secret_keys

__all__ = ["CookieBackend"]


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
        check_ttl(ttl, "CookieBackend", allow_none=True)
        self.ttl = ttl
        self._serializer = URLSafeTimedSerializer(
            secret_keys(secret_or_secrets, "CookieBackend"), salt=self.salt, serializer=JSONText
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
