"""Cache keys: what two requests must share to be given the same stored answer.

A route's *primary* key is known before its callback runs (method, origin, path, query,
the declared `vary` headers, or the route's own `key` function). What else the answer
depends on is known only afterwards, from `request.varies`: the credentials the callback
(or a hook, or another plugin) read, and what it declared with `request.vary()`. Such an
answer is stored under a *variant* key that adds those headers' values, and the primary
key then holds a small marker naming them, so the next request looks its own variant up:
alice's page is keyed by alice's `Cookie`, bob never gets it, and visitors without a
cookie share one entry. HTTP caches do the same with a response's `Vary`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from demijohn import WSGIHeaderDict

VARIANTS_MAGIC = b"DJV1"


def digest(raw: str) -> str:
    """A short fixed-size key for arbitrary text."""
    return hashlib.blake2b(raw.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def canonical_query(query: str) -> str:
    """The query string with its parameters in a stable order: `?b=2&a=1` is `?a=1&b=2`,
    but the values of a repeated name keep their order (`?a=1&a=2` is not `?a=2&a=1`:
    `request.query.a` is the last one)."""
    if not query:
        return query
    return urlencode(sorted(parse_qsl(query, keep_blank_values=True), key=lambda pair: pair[0]))


def origin(scheme: str, host: str) -> str:
    """The scheme and host name the request was addressed to, as `request.scheme` and
    `request.host` give them under the app's proxy policy. Part of the key: an answer built
    from a forged `Host` (an absolute `Location`, a link) then only ever reaches the client
    that forged it. A numeric port is left out, so processes listening on different ports of
    one host share entries."""
    name, colon, port = host.rpartition(":")
    if colon and port.isdigit() and port.isascii() and not name.endswith(":"):  # not a bare IPv6 address
        host = name
    return f"{scheme}://{host.lower()}"


def full_path(environ: dict[str, Any]) -> str:
    """`SCRIPT_NAME` plus `PATH_INFO`, like `request.fullpath` but without `urljoin`'s
    cost (about a third of a memory hit's time in bench_cache.py)."""
    script = environ.get("SCRIPT_NAME", "").strip("/")
    path = environ.get("PATH_INFO", "").lstrip("/")
    return f"/{script}/{path}" if script else f"/{path}"


def header_value(environ: dict[str, Any], name: str) -> str:
    """The raw value of request header `name` ('' when absent), read without recording it.
    `Authorization` includes the `REMOTE_USER` a server authenticated, which
    `request.auth` also answers with."""
    value = environ.get(WSGIHeaderDict.environ_key(name), "")
    if name.lower() == "authorization":
        value = f"{value}\n{environ.get('REMOTE_USER', '')}"
    return str(value)


def primary_key(method: str, where: str, environ: dict[str, Any], vary: Iterable[str]) -> str:
    """The default primary key: method, origin (`where`), full path, canonical query, varied headers."""
    parts = [method, where, full_path(environ), canonical_query(environ.get("QUERY_STRING", ""))]
    parts += [f"{name.lower()}:{header_value(environ, name)}" for name in vary]
    return "r:" + digest("\n".join(parts))


def variant_key(primary: str, names: Iterable[str], environ: dict[str, Any]) -> str:
    """The key of the answer under `primary` for this request's values of headers `names`."""
    values = [[name.lower(), header_value(environ, name)] for name in names]
    return "v:" + digest(json.dumps([primary, values]))


def encode_variants(names: Iterable[str]) -> bytes:
    """The marker stored under a primary key whose answers vary on `names`."""
    return VARIANTS_MAGIC + json.dumps(sorted(names)).encode()


def decode_variants(raw: bytes) -> tuple[str, ...] | None:
    """The header names of a marker, or None when `raw` is not one (an answer, or junk)."""
    if raw[:4] != VARIANTS_MAGIC:
        return None
    try:
        names = json.loads(raw[4:].decode())
    except (ValueError, UnicodeError):
        return None
    if not isinstance(names, list) or not names or not all(isinstance(name, str) and name for name in names):
        return None
    return tuple(names)
