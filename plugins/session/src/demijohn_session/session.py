"""The session of one request: a dict of JSON values, loaded on first use, saved when changed."""

from __future__ import annotations

import logging
from collections.abc import Iterator, MutableMapping
from typing import Any

from demijohn import BaseResponse, request, response

from .backends import SessionBackend, SessionBackendUnavailable, SessionError, dumps

__all__ = ["Session", "vary_cookie"]

log = logging.getLogger("demijohn_session")


def vary_cookie(target: BaseResponse) -> None:
    """Add ``Cookie`` to the ``Vary`` header of ``target`` (a response) unless it is there."""
    listed = ",".join(target.headers.getall("Vary"))
    if "cookie" not in {name.strip().lower() for name in listed.split(",")}:
        target.add_header("Vary", "Cookie")


class Session(MutableMapping[str, Any]):
    """The session of one request: a dict of JSON values, loaded from the backend on first use.

    Keys are strings, values anything JSON can hold. Changes are found by comparing the
    encoded data with what was loaded, so ``session["cart"].append(item)`` is saved too.
    """

    def __init__(self, backend: SessionBackend, cookie_name: str, required: bool = True) -> None:
        self.backend = backend
        self.cookie_name = cookie_name
        self.required = required
        #: True when the backend was down and this (not required) session is empty and won't be saved.
        self.unavailable = False
        self._data: dict[str, Any] | None = None
        self._id: str | None = None
        self._had_cookie = False
        self._found = False
        self._loaded_json = "{}"
        self._force_save = False

    # -- loading ---------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        """True once the session has been read (which is when it was first touched)."""
        return self._data is not None

    @property
    def data(self) -> dict[str, Any]:
        """The underlying dict, loaded on first access."""
        if self._data is None:
            self._load()
        assert self._data is not None
        return self._data

    def _ensure_loaded(self) -> None:
        if self._data is None:
            self._load()

    def _load(self) -> None:
        self._data = {}
        # The answer now depends on the Cookie header: say so on the request, where the cache
        # plugin looks whatever the callback returns, and to the browser and any proxy, so
        # that no shared cache serves this visitor's page to another one.
        request.vary("Cookie")
        vary_cookie(response)
        cookie = request.get_cookie(self.cookie_name)
        if not cookie:
            return
        self._had_cookie = True
        try:
            found = self.backend.load(cookie)
        except SessionBackendUnavailable:
            if self.required:
                self._data = None
                raise
            log.warning("session store unavailable; route %s runs with an empty session", request.path)
            self.unavailable = True
            return
        if found is not None:
            self._found = True
            self._id, self._data = found
            self._loaded_json = dumps(self._data)

    # -- the mapping ----------------------------------------------------------------------

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise SessionError(f"session keys must be str (JSON object keys), got {key!r}.")
        self.data[key] = value

    def __delitem__(self, key: str) -> None:
        del self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def __repr__(self) -> str:
        shown = repr(self._data) if self._data is not None else "<not loaded>"
        return f"<Session {shown}>"

    # -- state ------------------------------------------------------------------------------

    @property
    def id(self) -> str | None:
        """The server-side session id (None for a cookie-only or a not yet saved session)."""
        self._ensure_loaded()
        return self._id

    @property
    def new(self) -> bool:
        """True when the request brought no valid session cookie."""
        self._ensure_loaded()
        return not self._found

    @property
    def modified(self) -> bool:
        """True when the session will be saved: its data changed, or a save was forced."""
        if self._data is None:
            return False
        return self._force_save or self.encode() != self._loaded_json

    @modified.setter
    def modified(self, value: bool) -> None:
        self._ensure_loaded()
        self._force_save = bool(value)

    def encode(self) -> str:
        """The session data as JSON; a clear :class:`SessionError` if a value is not JSON."""
        try:
            return dumps(self.data)
        except (TypeError, ValueError) as error:
            raise SessionError(
                f"session data cannot be saved as JSON: {error}. Store only str, int, float, bool, "
                "None, lists and dicts with str keys (for example a user id, not a user object)."
            ) from None

    def regenerate(self) -> None:
        """Move the data to a new session id and delete the old one; call it on login."""
        old_id = self.id
        if old_id is not None:
            self.backend.delete(old_id)
        self._id = None
        self._force_save = True

    def invalidate(self) -> None:
        """End the session: delete its stored data and its cookie (e.g. on logout)."""
        old_id = self.id
        if old_id is not None:
            self.backend.delete(old_id)
        self._id = None
        self.data.clear()
