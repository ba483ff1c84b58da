"""Bottle's compatibility names: the Python-2 era helpers (``tob``, ``touni``, ``py3k``, ...),
the standard-library names Bottle re-exports (``BytesIO``, ``urlencode``, ``json_dumps``,
whole modules such as ``bottle.os``) and its old aliases (``Request``, ``apps``, ``depr``).

Nothing imports this module at start-up: ``demijohn.__getattr__`` loads it the first time
one of :data:`NAMES` is asked for (``from demijohn import tob``), so these names cost
nothing to apps that do not use them and stay out of the typed API. New code should use
the standard library directly.

It also gives three of Bottle's private names that Bottle's own test modules import
(``_re_flatten``, ``_parse_http_header``, ``_MultipartParser``), each working over
demijohn's own code, so those modules load and their other tests run.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import sys
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import re

#: Bottle's re-exports of whole standard-library modules: ``bottle.os``, ``bottle.httplib``.
MODULES = {
    "base64": "base64", "calendar": "calendar", "configparser": "configparser", "email": "email",
    "functools": "functools", "hashlib": "hashlib", "hmac": "hmac", "httplib": "http.client",
    "itertools": "itertools", "mimetypes": "mimetypes", "os": "os", "pickle": "pickle", "re": "re",
    "sys": "sys", "tempfile": "tempfile", "thread": "_thread", "threading": "threading", "time": "time",
    "warnings": "warnings", "weakref": "weakref",
}

#: Names Bottle re-exports from a standard-library module, as ``name: (module, attribute)``.
STDLIB_NAMES = {
    "BytesIO": ("io", "BytesIO"), "NamedTemporaryFile": ("tempfile", "NamedTemporaryFile"),
    "CookieError": ("http.cookies", "CookieError"), "Morsel": ("http.cookies", "Morsel"),
    "SimpleCookie": ("http.cookies", "SimpleCookie"), "DictMixin": ("collections.abc", "MutableMapping"),
    "FunctionType": ("types", "FunctionType"), "new_module": ("types", "ModuleType"),
    "UrlSplitResult": ("urllib.parse", "SplitResult"), "urlencode": ("urllib.parse", "urlencode"),
    "urljoin": ("urllib.parse", "urljoin"), "urlquote": ("urllib.parse", "quote"),
    "datedate": ("datetime", "date"), "datetime": ("datetime", "datetime"), "timedelta": ("datetime", "timedelta"),
    "timezone": ("datetime", "timezone"), "format_exc": ("traceback", "format_exc"),
    "print_exc": ("traceback", "print_exc"), "update_wrapper": ("functools", "update_wrapper"),
    "normalize": ("unicodedata", "normalize"), "getfullargspec": ("inspect", "getfullargspec"),
    "print_function": ("__future__", "print_function"), "json_dumps": ("json", "dumps"),
    "json_lds": ("json", "loads"),
}

#: Constants and aliases that need no import.
py = sys.version_info
py3k = True
unicode = str
basestring = str
imap = map
callable = callable  # noqa: PLW0127 - Bottle re-exports the builtin under its own name
UTC = __import__("datetime").timezone.utc
#: Bottle's ``NORUN`` switch; demijohn's loader uses a context variable instead (see ``load_app``).
NORUN = False
#: A thread-local namespace for application code, as Bottle offers (demijohn itself never uses it:
#: request state lives in context variables).
local = __import__("threading").local()
#: The percent-decoder Bottle exports: bytes decoded as latin-1, as WSGI passes them.
urlunquote = functools.partial(__import__("urllib.parse").parse.unquote, encoding="latin1")


def tob(s: Any, enc: str = "utf8") -> bytes:
    """Text to bytes (encoded with ``enc``); bytes pass through, ``None`` is ``b''``."""
    if isinstance(s, str):
        return s.encode(enc)
    return b"" if s is None else bytes(s)


def touni(s: Any, enc: str = "utf8", err: str = "strict") -> str:
    """Bytes to text (decoded with ``enc``); text passes through, ``None`` is ``''``, other
    values become their ``str()``."""
    if isinstance(s, bytes):
        return s.decode(enc, err)
    return "" if s is None else str(s)


tonat = touni


def json_loads(s: str | bytes) -> Any:
    """:func:`json.loads` that also takes UTF-8 bytes."""
    return json.loads(touni(s))


def getargspec(func: Any) -> tuple[list[str], str | None, str | None, tuple[Any, ...] | None]:
    """``(args, varargs, varkw, defaults)`` of ``func``, the shape Python 2 returned."""
    spec = inspect.getfullargspec(func)
    return spec.args, spec.varargs, spec.varkw, spec.defaults


def depr(major: int, minor: int, cause: str, fix: str, stacklevel: int = 3) -> DeprecationWarning:
    """Warn that a Bottle/demijohn API is deprecated (``cause``) and how to replace it
    (``fix``); returns the warning so callers can also raise it."""
    text = f"Warning: Use of deprecated feature or API. (Deprecated in Bottle-{major}.{minor})\nCause: {cause}\nFix: {fix}\n"
    warnings.warn(text, DeprecationWarning, stacklevel=stacklevel)
    return DeprecationWarning(text)


_GROUP: re.Pattern[str] = __import__("re").compile(r"(\\*)\((\?P<[^>]*>|(?!\?))")


def _re_flatten(pattern: str) -> str:
    """Turn the capturing groups of a regular expression (named or not) into
    non-capturing ones, leaving escaped parentheses alone (Bottle's private helper)."""
    def flatten(found: re.Match[str]) -> str:
        backslashes = found.group(1)
        return found.group(0) if len(backslashes) % 2 else backslashes + "(?:"
    return _GROUP.sub(flatten, pattern)


class _LimitedReader:
    """Reads at most ``limit`` bytes of ``stream`` (all of it when ``limit`` is negative)."""

    def __init__(self, stream: Any, limit: int) -> None:
        self.stream, self.remaining = stream, limit

    def read(self, size: int = -1) -> bytes:
        if self.remaining < 0:
            return bytes(self.stream.read(size))
        size = self.remaining if size < 0 else min(size, self.remaining)
        data = bytes(self.stream.read(size))
        self.remaining -= len(data)
        return data


class _MultipartParser:
    """Bottle's private multipart parser, as Bottle's own tests and some plugins call it:
    ``_MultipartParser(stream, boundary, ...).parse()`` yields the parts (see
    :class:`demijohn.multipart.MultipartPart`), parsed by demijohn's parser.
    ``mem_limit`` bounds the bytes all parts keep in memory, ``disk_limit`` those spooled
    to disk; over either, or for a malformed body, it raises ``MultipartError``."""

    def __init__(self, stream: Any, boundary: str | None, content_length: int = -1, disk_limit: int = 2 ** 30,
                 mem_limit: int = 2 ** 20, memfile_limit: int = 2 ** 18, buffer_size: int = 2 ** 16,
                 charset: str = "latin1") -> None:
        from .multipart import MultipartError

        if not boundary:
            raise MultipartError(400, "Malformed multipart request: no boundary; the Content-Type must be "
                                      "'multipart/form-data; boundary=...'.")
        self.stream, self.boundary, self.content_length = stream, boundary, content_length
        self.disk_limit, self.mem_limit, self.memfile_limit = disk_limit, mem_limit, memfile_limit
        self.buffer_size, self.charset = buffer_size, charset

    def parse(self) -> Any:
        """Yield each part; raises ``MultipartError`` as the class docstring says."""
        from .multipart import MultipartError, MultipartParser

        parser = MultipartParser(_LimitedReader(self.stream, self.content_length), self.boundary,  # type: ignore[arg-type]
                                 max_memory=self.mem_limit, memfile_limit=self.memfile_limit,
                                 block_size=self.buffer_size, charset=self.charset)
        in_memory = on_disk = 0
        for part in parser.parts():
            if part.is_buffered():
                in_memory += part.size
            else:
                on_disk += part.size
            if in_memory > self.mem_limit or on_disk > self.disk_limit:
                part.close()
                raise MultipartError(413, f"Multipart body is over the limit of {self.mem_limit} bytes in memory "
                                          f"or {self.disk_limit} bytes on disk.")
            yield part


def cookie_encode(data: Any, key: str | bytes, digestmod: Any = None) -> bytes:
    """Bottle's signed-value encoder, with demijohn's format: ``data`` as JSON signed with
    HMAC-SHA256 (never pickled, so a forged value can at worst fail to verify). Deprecated,
    as in Bottle: use ``response.set_cookie(name, value, secret=key)``."""
    from .httputil import cookie_encode as encode

    depr(0, 13, "cookie_encode() will be removed soon.", "Do not use this API directly.")
    return encode("", data, key).encode("ascii")


def cookie_decode(data: str | bytes, key: str | bytes, digestmod: Any = None) -> Any:
    """Verify and decode a value made by :func:`cookie_encode`; ``None`` when it does not
    verify. Deprecated, as in Bottle: use ``request.get_cookie(name, secret=key)``."""
    from .httputil import cookie_decode as decode

    depr(0, 13, "cookie_decode() will be removed soon.", "Do not use this API directly.")
    return decode(touni(data), key, "")


def cookie_is_encoded(data: str | bytes) -> bool:
    """Whether ``data`` looks like a value made by :func:`cookie_encode`."""
    from .httputil import cookie_is_encoded as is_encoded

    return is_encoded(touni(data))


def _aliases() -> dict[str, Any]:
    """Bottle's alternative names for demijohn objects, resolved on demand."""
    from .errorpage import ERROR_PAGE
    from .appstack import _relay, default_app
    from .body_iterators import FileIterator
    from .cli import main
    from .httputil import parse_http_header
    from .reloader import FileWatcher
    from .request import BaseRequest
    from .response import BaseResponse

    return {"Request": BaseRequest, "Response": BaseResponse, "apps": default_app,
            "_parse_http_header": parse_http_header, "WSGIFileWrapper": FileIterator, "FileCheckerThread": FileWatcher,
            "main": main, "make_default_app_wrapper": _relay, "ERROR_PAGE_TEMPLATE": ERROR_PAGE}


_LOCAL = ("py", "py3k", "unicode", "basestring", "imap", "callable", "UTC", "NORUN", "local", "urlunquote",
          "tob", "touni", "tonat", "json_loads", "getargspec", "depr", "_re_flatten", "_MultipartParser",
          "cookie_encode", "cookie_decode", "cookie_is_encoded")

_ALIASES = ("Request", "Response", "apps", "_parse_http_header", "WSGIFileWrapper", "FileCheckerThread", "main",
            "make_default_app_wrapper", "ERROR_PAGE_TEMPLATE")
#: Every name this module provides, for ``demijohn.__getattr__``.
NAMES = frozenset((*MODULES, *STDLIB_NAMES, *_LOCAL, *_ALIASES))


def lookup(name: str) -> Any:
    """The value of compatibility name ``name``; ``AttributeError`` if it is not one."""
    if name in _LOCAL:
        return globals()[name]
    if name in MODULES:
        if name == "email":  # Bottle imports email.utils, so bottle.email.utils is there too
            importlib.import_module("email.utils")
        return importlib.import_module(MODULES[name])
    if name in STDLIB_NAMES:
        module, attribute = STDLIB_NAMES[name]
        return getattr(importlib.import_module(module), attribute)
    if name in _ALIASES:
        return _aliases()[name]
    raise AttributeError(f"module 'demijohn' has no attribute {name!r}")


__all__ = ["NAMES", "lookup", "tob", "touni", "tonat", "json_loads", "getargspec", "depr"]
