"""A cached response as bytes, and the HTTP rules about what may be stored and revalidated.

The stored form is `b"DJC1"`, a 4-byte big-endian length, a JSON header (status line,
header list, creation time, time to live) and the raw body. JSON rather than pickle:
a shared Redis must never be a way to run code in the app.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass

MAGIC = b"DJC1"

# Headers recomputed per answer, never stored.
_UNSTORED = frozenset({"content-length", "date", "connection", "transfer-encoding"})

# Headers a 304 repeats from the full answer (RFC 9110, section 15.4.5).
_NOT_MODIFIED_KEEP = frozenset({"etag", "cache-control", "vary", "expires", "date", "content-location"})


def forbids_storing(headers: Iterable[tuple[str, str]]) -> bool:
    """True when the response sets a cookie or says `Cache-Control: private/no-store`."""
    for name, value in headers:
        lowered = name.lower()
        if lowered == "set-cookie":
            return True
        if lowered == "cache-control":
            directives = {part.split("=", 1)[0].strip().lower() for part in value.split(",")}
            if directives & {"private", "no-store"}:
                return True
    return False


def vary_names(headers: Iterable[tuple[str, str]]) -> list[str]:
    """The request header names the response's own `Vary` headers list, in canonical case
    (`"*"` stays as is: the answer depends on more than headers and is never stored)."""
    names: list[str] = []
    for name, value in headers:
        if name.lower() == "vary":
            names += [canonical(part.strip()) for part in value.split(",") if part.strip()]
    return names


def canonical(name: str) -> str:
    """`accept-language` -> `Accept-Language`, the form `request.varies` uses."""
    return "-".join(part.capitalize() for part in name.split("-"))


def etag_for(body: bytes) -> str:
    """A strong entity tag derived from the body."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison of `etag` against an `If-None-Match` header value."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in if_none_match.split(","))


@dataclass(slots=True)
class Entry:
    """One stored response: status line, headers, body and when it was stored."""

    status_line: str
    headers: list[tuple[str, str]]
    body: bytes
    created: float
    ttl: float
    owns_cache_control: bool

    @classmethod
    def build(
        cls,
        status_line: str,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        ttl: float,
        vary: Iterable[str],
        skip_header: str | None,
    ) -> Entry:
        """Capture a fresh response; one `Vary` header lists its own and the `vary` names."""
        skip = {skip_header.lower()} if skip_header else set()
        kept = [(n, v) for n, v in headers if n.lower() not in _UNSTORED and n.lower() not in skip]
        varied: dict[str, str] = {}
        for name in vary_names(kept) + [canonical(name) for name in vary]:
            varied.setdefault(name.lower(), name)
        kept = [(n, v) for n, v in kept if n.lower() != "vary"]
        if varied:
            kept.append(("Vary", ", ".join(varied.values())))
        present = {name.lower() for name, _ in kept}
        return cls(status_line, kept, body, time.time(), ttl, "cache-control" not in present)

    @property
    def etag(self) -> str | None:
        """The `ETag` header, if the response has one."""
        for name, value in self.headers:
            if name.lower() == "etag":
                return value
        return None

    def add_header(self, name: str, value: str) -> None:
        """Add a header to the stored response."""
        self.headers.append((name, value))

    def headers_now(self) -> list[tuple[str, str]]:
        """The headers to answer with now, with `max-age` counting down the time to live."""
        headers = list(self.headers)
        if self.owns_cache_control:
            remaining = self.ttl - (time.time() - self.created)
            headers.append(("Cache-Control", f"max-age={max(0, round(remaining))}"))
        return headers

    @staticmethod
    def not_modified_headers(headers: list[tuple[str, str]], extra: str | None = None) -> list[tuple[str, str]]:
        """The subset of `headers` a 304 answer repeats (plus `extra`, e.g. X-Cache)."""
        keep = _NOT_MODIFIED_KEEP | ({extra.lower()} if extra else set())
        return [(n, v) for n, v in headers if n.lower() in keep]

    def encode(self) -> bytes:
        """The bytes to store."""
        meta = json.dumps(
            {
                "status": self.status_line,
                "headers": self.headers,
                "created": self.created,
                "ttl": self.ttl,
                "own_cc": self.owns_cache_control,
            },
            separators=(",", ":"),
        ).encode()
        return MAGIC + len(meta).to_bytes(4, "big") + meta + self.body

    @classmethod
    def decode(cls, data: bytes) -> Entry | None:
        """Read stored bytes back; None when they are not an entry (treated as a miss)."""
        if data[:4] != MAGIC or len(data) < 8:
            return None
        size = int.from_bytes(data[4:8], "big")
        try:
            meta = json.loads(data[8 : 8 + size].decode())
            headers = [(str(n), str(v)) for n, v in meta["headers"]]
            return cls(
                str(meta["status"]),
                headers,
                data[8 + size :],
                float(meta["created"]),
                float(meta["ttl"]),
                bool(meta["own_cc"]),
            )
        except (ValueError, KeyError, TypeError):
            return None
