"""What an answer depends on: the request headers it was built from, recorded on the request.

A shared cache may hand a stored answer only to a request that agrees on every header the
answer was built from; otherwise one visitor's page reaches another. Whether a callback
returns a str, an ``HTTPResponse`` or a generator, the request is the one place that sees
every read, so the record lives there, under one environ key:

- reading the credentials through the request records them by itself: ``request.cookies``,
  ``get_cookie()`` (``Cookie``), ``request.auth`` (``Authorization``), and ``get_header()``
  or ``request.headers`` for either header;
- anything else an answer depends on is declared with ``request.vary('Accept-Language')``
  (a plugin loading a session declares ``Cookie`` this way);
- ``request.varies`` is what was recorded, read by caches when they store an answer.

Recording costs nothing on a request that never reads a credential: the accessors compare
the environ key they already computed with :data:`CREDENTIAL_HEADERS` (*request access*).
Reads straight from ``request.environ`` are not seen; declare those with ``request.vary()``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .datastructures import WSGIHeaderDict
from .environ_keys import VARIES as VARIES_KEY

#: Environ keys of the headers that identify the client, and their header names: reading
#: them through the request is recorded without being declared.
CREDENTIAL_HEADERS: Mapping[str, str] = {"HTTP_COOKIE": "Cookie", "HTTP_AUTHORIZATION": "Authorization"}

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def record(environ: dict[str, Any], name: str) -> None:
    """Add the canonical header ``name`` to the environ's record (internal, no checks)."""
    varies = environ.get(VARIES_KEY)
    if varies is None:
        environ[VARIES_KEY] = {name}
    else:
        varies.add(name)


def canonical_name(name: str) -> str:
    """``'accept-language'`` → ``'Accept-Language'``; a ``ValueError`` for what is not a header name."""
    if not isinstance(name, str) or not _TOKEN.fullmatch(name):
        raise ValueError(f"request.vary({name!r}): pass request header names such as 'Accept-Language' "
                         "(letters, digits and '-', no spaces or ':').")
    return "-".join(part.capitalize() for part in name.split("-"))


def vary(environ: dict[str, Any], *names: str) -> None:
    """Record that the answer to the request in ``environ`` depends on the request headers ``names``."""
    for name in names:
        record(environ, canonical_name(name))


def varies(environ: Mapping[str, Any]) -> frozenset[str]:
    """The header names recorded for the request in ``environ`` so far (canonical case)."""
    return frozenset(environ.get(VARIES_KEY, ()))


class RecordingHeaderDict(WSGIHeaderDict):
    """``request.headers``: a :class:`WSGIHeaderDict` that records reads of the credential headers.

    Looking a credential up, testing for it, or listing the headers (which tells whether it
    is there) records it, since the answer may then depend on it."""

    __slots__ = ()

    def _note(self, key: str) -> None:
        name = CREDENTIAL_HEADERS.get(key)
        if name is not None:
            record(self.environ, name)

    def get(self, key: str, default: Any = None) -> Any:
        """The header value, or ``default``."""
        environ_key = self._environ_keys.get(key) or self._key(key)  # one key lookup per read (*headers*)
        if environ_key in CREDENTIAL_HEADERS:
            record(self.environ, CREDENTIAL_HEADERS[environ_key])
        value = self.environ.get(environ_key)
        if value is None:
            return default
        return value if value.isascii() and type(value) is str else self._decode(value)

    def raw(self, key: str, default: Any = None) -> Any:
        """The header value as the server stored it."""
        self._note(self._key(key))
        return super().raw(key, default)

    def __getitem__(self, key: str) -> str:
        environ_key = self._environ_keys.get(key) or self._key(key)
        if environ_key in CREDENTIAL_HEADERS:
            record(self.environ, CREDENTIAL_HEADERS[environ_key])
        value = self.environ[environ_key]
        return value if value.isascii() and type(value) is str else self._decode(value)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self._note(self._key(key))
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        for key in CREDENTIAL_HEADERS:
            self._note(key)
        return super().__iter__()


__all__ = ["CREDENTIAL_HEADERS", "VARIES_KEY", "RecordingHeaderDict", "canonical_name", "vary", "varies"]
