"""The response side of a request: :class:`BaseResponse` (status, headers, cookies, body),
:class:`HTTPResponse` and :class:`HTTPError` (responses you can raise). The shortcuts that
raise them, ``abort`` and ``redirect``, are in :mod:`demijohn.shortcuts`."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from http.cookies import Morsel, SimpleCookie
from typing import Any, Iterable, NamedTuple

from .datastructures import HeaderDict, _header_key
from .errors import BottleException
from .headercheck import CookieOptionError, cookie_name, cookie_option, header_name, header_value
from .httputil import HTTP_CODES, NO_BODY_HEADER_STATUSES, STATUS_LINES, cookie_encode, http_date, parse_date
from .httputil import MAX_COOKIE_SIZE as _MAX_COOKIE_SIZE

_BODYLESS_HEADERS = ("Content-Type", "Content-Length", "Content-Encoding", "Content-Range", "Transfer-Encoding")
_CHARSET = re.compile(r"charset=([\w.-]+)", re.IGNORECASE)
_COOKIE_OPTION_ALIASES = {"same_site": "samesite"}  # Bottle's name for it
_COOKIE_OPTIONS = frozenset(Morsel._reserved)  # type: ignore[attr-defined]
_COOKIE_ATTRIBUTE_NAMES: dict[str, str] = dict(Morsel._reserved)  # type: ignore[attr-defined]
# The options set_cookie formats itself (a comment or version goes through a Morsel), and the
# values a cookie carries bare (SimpleCookie quotes anything else, and the empty value).
_FORMATTED_OPTIONS = frozenset(("domain", "expires", "httponly", "max-age", "path", "samesite", "secure"))
_BARE_COOKIE_VALUE = re.compile(r"[A-Za-z0-9!#$%&'*+\-.^_`|~:]+\Z")


class _Cookie(NamedTuple):
    """A cookie ``set_cookie`` formatted at once: its ``Set-Cookie`` line, and what a
    :class:`~http.cookies.Morsel` needs if ``response.COOKIES`` is read (*set-cookie*)."""

    line: str
    value: str
    coded: str
    attributes: dict[str, Any]

    def morsel(self, name: str) -> Morsel[str]:
        """The cookie as a Morsel, as ``set_cookie`` built them before it formatted lines."""
        morsel: Morsel[str] = Morsel()
        morsel.set(name, self.value, self.coded)
        for key, value in self.attributes.items():
            morsel[key] = value
        return morsel


def _cookie_line(name: str, coded: str, attributes: dict[str, Any]) -> str:
    """``Set-Cookie`` text exactly as ``Morsel.OutputString`` writes it, for the formatted options."""
    parts = [f"{name}={coded}"]
    for key in sorted(attributes):  # Morsel writes its attributes sorted by key
        value = attributes[key]
        if value == "" or value is False:
            continue
        if key in ("httponly", "secure"):
            parts.append(_COOKIE_ATTRIBUTE_NAMES[key])
        elif key == "max-age":
            parts.append(f"Max-Age={value:d}")
        else:
            parts.append(f"{_COOKIE_ATTRIBUTE_NAMES[key]}={value}")
    return "; ".join(parts)


def _cookie_quote(name: str, value: str) -> str:
    """The value as it goes on the wire: quoted and escaped by the standard library when it
    holds characters a bare cookie value cannot; what is still not ASCII is refused."""
    quoted = SimpleCookie().value_encode(value)[1]  # escapes every latin-1 character that needs it
    if not quoted.isascii():
        raise CookieOptionError(f"Cookie {name!r}: the value holds characters beyond latin-1, which cannot be sent; "
                         "percent-encode it, or pass a secret to have it encoded.")
    return quoted


def _wsgi_text(value: str) -> str:
    """WSGI wants latin-1 strings: text beyond ASCII goes out as its UTF-8 bytes, as in Bottle."""
    return value if value.isascii() else value.encode("utf-8").decode("latin-1")


class HeaderProperty:
    """A response attribute backed by one header (``response.content_type``): reading gives
    the header's last value passed through ``reader`` (``default`` when unset), assignment
    stores ``writer(value)``, ``del`` removes the header. Use it on a response subclass::

        class MyResponse(BaseResponse):
            request_id = HeaderProperty('X-Request-Id')
    """

    def __init__(self, name: str, reader: Any = None, writer: Any = str, default: Any = "") -> None:
        self.name, self.default, self.reader, self.writer = _header_key(name), default, reader, writer or str
        self.__doc__ = f"Current value of the {name!r} header."

    def __get__(self, obj: Any, cls: Any) -> Any:
        if obj is None:
            return self
        values = obj._headers.get(self.name)
        if not values:
            return self.default
        return self.reader(values[-1]) if self.reader else values[-1]

    def __set__(self, obj: Any, value: Any) -> None:
        obj._headers[self.name] = [header_value(self.writer(value))]

    def __delete__(self, obj: Any) -> None:
        obj._headers.pop(self.name, None)


class BaseResponse:
    """Status, headers, cookies and body of a response.

    The per-request instance is reachable anywhere as the context object ``response``;
    set ``response.status``, headers and cookies there and return the body from the callback.
    """

    default_status = 200
    default_content_type = "text/html; charset=UTF-8"
    #: Cookies set and formatted by :meth:`set_cookie` while :attr:`COOKIES` was never read.
    _set_cookies: dict[str, _Cookie] | None = None

    def __init__(self, body: Any = "", status: int | str | None = None, headers: Any = None, **more_headers: Any) -> None:
        self._cookies: SimpleCookie | None = None
        self._headers: dict[str, list[str]] = {}
        self.body = body
        if status is None and self.default_status == 200:  # every request makes one: skip the parser (*hello*)
            self._status_code, self._status_line = 200, "200 OK"
        else:
            self.status = status or self.default_status
        if headers:
            for name, value in headers.items() if hasattr(headers, "items") else headers:
                self.add_header(name, value)
        for name, value in more_headers.items():
            self.add_header(name, value)

    def copy(self, cls: type | None = None) -> Any:
        """A copy of this response (of class ``cls`` when given), headers and cookies included."""
        copy = (cls or type(self))()
        copy.status = self.status
        copy._headers = {name: list(values) for name, values in self._headers.items()}
        if self._cookies:
            copy._cookies = SimpleCookie()
            copy._cookies.load(self._cookies.output(header=""))
        if self._set_cookies:
            copy._set_cookies = dict(self._set_cookies)
        return copy

    def encode_text(self, text: str) -> bytes:
        """``text`` in the charset of this response's ``Content-Type`` (UTF-8 when none is set)."""
        return text.encode(self.charset) if "Content-Type" in self._headers else text.encode()

    def default_content_length(self, length: int) -> None:
        """Set ``Content-Length`` to ``length`` unless the answer already carries one."""
        if "Content-Length" not in self._headers:
            self._headers["Content-Length"] = [str(length)]

    def has_headers(self) -> bool:
        """Whether any header or cookie has been set on this response."""
        return bool(self._headers or self._cookies or self._set_cookies)

    def __iter__(self) -> Any:
        return iter(self.body)

    def close(self) -> None:
        """Close the body if it has a ``close`` method (a file, a generator)."""
        close = getattr(self.body, "close", None)
        if close is not None:
            close()

    @property
    def status_line(self) -> str:
        """The HTTP status line, like ``'200 OK'``."""
        line = self._status_line  # kept in WSGI's form: text beyond ASCII as its UTF-8 bytes read as latin-1
        return line if line.isascii() else line.encode("latin-1").decode("utf-8")

    def _wsgi_status_line(self) -> str:
        """The status line as ``start_response`` takes it (Bottle's name)."""
        return self._status_line

    @property
    def status_code(self) -> int:
        """The HTTP status code as an integer."""
        return self._status_code

    @property
    def status(self) -> str:
        """The status line; set it with an int (``404``) or a full line (``'404 Gone Fishing'``).
        A reason phrase beyond ASCII goes out as UTF-8, as Bottle sends it."""
        return self.status_line

    @status.setter
    def status(self, status: int | str) -> None:
        if type(status) is int and status in STATUS_LINES:  # the usual case: a known code (*created*)
            self._status_code, self._status_line = status, STATUS_LINES[status]
            return
        if isinstance(status, int):
            code, line = status, STATUS_LINES.get(status) or f"{status} Unknown"
        else:
            line = status.strip()
            code_text = line.split(None, 1)[0] if line else ""
            if not code_text.isdigit():
                raise ValueError(f"Status line {status!r} must start with a numeric code, like '404 Not Found'.")
            code = int(code_text)
            if " " not in line:
                raise ValueError(f"Status line {status!r} has no reason phrase: give an int ({code}) or a full line "
                                 f"like '{code} Reason'.")
            line = header_value(line)
            if not line.isascii():
                line = line.encode("utf-8").decode("latin-1")
        if not 100 <= code <= 999:
            raise ValueError(f"Status code {code} is out of range (100-999).")
        self._status_code, self._status_line = code, line

    @property
    def headers(self) -> HeaderDict:
        """The response headers as a case-insensitive :class:`HeaderDict` (live view)."""
        view = HeaderDict()
        view.dict = self._headers
        return view

    def __contains__(self, name: str) -> bool:
        return _header_key(name) in self._headers

    def __delitem__(self, name: str) -> None:
        del self._headers[_header_key(name)]

    def __getitem__(self, name: str) -> str:
        return self._headers[_header_key(name)][-1]

    def __setitem__(self, name: str, value: Any) -> None:
        self._headers[header_name(name)] = [header_value(value)]

    def get_header(self, name: str, default: Any = None) -> Any:
        """The last value of header ``name``, or ``default``."""
        values = self._headers.get(_header_key(name))
        return values[-1] if values else default

    def set_header(self, name: str, value: Any) -> None:
        """Set header ``name``, replacing previous values. A name that is not a token, or a
        value with CR, LF, NUL or another control character, is refused with a ``ValueError``;
        text beyond ASCII is sent as UTF-8."""
        self._headers[header_name(name)] = [header_value(value)]

    def add_header(self, name: str, value: Any) -> None:
        """Add a value to header ``name``, keeping previous ones (for repeatable headers);
        checked like :meth:`set_header`."""
        self._headers.setdefault(header_name(name), []).append(header_value(value))

    def iter_headers(self) -> Iterable[tuple[str, str]]:
        """Yield ``(name, value)`` pairs as sent, cookies included."""
        return iter(self.headerlist)

    @property
    def headerlist(self) -> list[tuple[str, str]]:
        """The ``(name, value)`` list given to ``start_response``: a default ``Content-Type``
        is added when none is set, body headers are dropped for 204 and 304, and each
        cookie becomes a ``Set-Cookie`` header."""
        headers = self._headers
        out = [] if "Content-Type" in headers else [("Content-Type", self.default_content_type)]
        for name, values in headers.items():
            if len(values) == 1:  # the usual case: no inner loop (*hello*)
                value = values[0]
                out.append((name, value) if value.isascii() else (name, _wsgi_text(value)))
            else:
                out += [(name, value if value.isascii() else _wsgi_text(value)) for value in values]
        if self._status_code in NO_BODY_HEADER_STATUSES:
            out = [pair for pair in out if pair[0] not in _BODYLESS_HEADERS]
        if self._set_cookies:
            out.extend([("Set-Cookie", cookie.line) for cookie in self._set_cookies.values()])
        if self._cookies:
            for morsel in self._cookies.values():  # COOKIES may have been changed directly: check again
                out.append(("Set-Cookie", _wsgi_text(header_value(morsel.OutputString()))))
        return out

    content_type = HeaderProperty("Content-Type")
    content_length = HeaderProperty("Content-Length", reader=int, default=-1)
    expires = HeaderProperty(
        "Expires", reader=lambda text: datetime.fromtimestamp(parse_date(text) or 0, timezone.utc), writer=http_date)

    @property
    def charset(self) -> str:
        """The charset named in ``Content-Type`` (``'UTF-8'`` when none is)."""
        values = self._headers.get("Content-Type")
        if values:
            found = _CHARSET.search(values[-1])
            if found:
                return found.group(1)
        return "UTF-8"

    @property
    def COOKIES(self) -> SimpleCookie:  # noqa: N802 - Bottle's name
        """The cookies to send, as a :class:`http.cookies.SimpleCookie`."""
        cookies = self._cookies
        if cookies is None:
            cookies = self._cookies = SimpleCookie()
        pending = self._set_cookies
        if pending:  # from now on set_cookie adds Morsels here, where the caller can see them
            for name, cookie in pending.items():
                cookies[name] = cookie.morsel(name)
            self._set_cookies = None
        return cookies

    def set_cookie(self, name: str, value: Any, secret: str | bytes | None = None, **options: Any) -> None:
        """Send a cookie. With ``secret`` the value may be any JSON-serialisable data; it is
        signed (HMAC) so ``request.get_cookie(name, secret=...)`` can trust it. Without a
        secret it must be a string.

        Options: ``max_age`` (int seconds or timedelta), ``expires`` (datetime, date,
        timestamp or HTTP date string), ``path``, ``domain``, ``secure``, ``httponly``
        (booleans), ``samesite`` or ``same_site`` (``'lax'``, ``'strict'`` or ``'none'``). Every option is
        checked like the name and value: ``ValueError`` for CR/LF/NUL, ``;`` or other
        characters a cookie cannot carry, a value over 4 KB, or an option of the wrong kind;
        ``TypeError`` for a non-string value without a secret."""
        if secret is not None:
            value = cookie_encode(name, value, secret)
        elif not isinstance(value, str):
            raise TypeError(f"Cookie {name!r}: a value that is not a string needs a secret to be signed and encoded.")
        cookie_name(name)
        if name.lower() in _COOKIE_OPTIONS:
            raise CookieOptionError(f"Cookie name {name!r} is the name of a cookie attribute; choose another name.")
        if "\r" in value or "\n" in value or "\0" in value:
            raise CookieOptionError(f"Cookie {name!r}: the value contains a line break or NUL; encode it first.")
        if len(name) + len(value) > _MAX_COOKIE_SIZE:
            raise ValueError(f"Cookie {name!r} is {len(name) + len(value)} bytes; browsers drop cookies over 4 KB. "
                             "Store less in it (a session id, say).")
        coded = value if _BARE_COOKIE_VALUE.match(value) else _cookie_quote(name, value)
        attributes: dict[str, Any] = {}
        for key, option in options.items():
            key = _COOKIE_OPTION_ALIASES.get(key, key.replace("_", "-").lower())
            if key not in _COOKIE_OPTIONS:
                raise CookieOptionError(f"Cookie {name!r}: unknown option {key!r}; use max_age, expires, path, domain, "
                                 "secure, httponly or samesite.")
            checked = cookie_option(name, key, option)
            if checked is not None:
                attributes[key] = checked
        cookie = _Cookie("", value, coded, attributes)
        if self._cookies is not None or not _FORMATTED_OPTIONS.issuperset(attributes):
            self.COOKIES[name] = cookie.morsel(name)  # COOKIES was read (or an old option): keep it a SimpleCookie
            return
        pending = self._set_cookies
        if pending is None:
            pending = self._set_cookies = {}
        pending[name] = cookie._replace(line=_cookie_line(name, coded, attributes))

    def delete_cookie(self, name: str, **options: Any) -> None:
        """Ask the client to drop a cookie; pass the same ``path``/``domain`` it was set with."""
        options["max_age"] = -1
        options["expires"] = 0
        self.set_cookie(name, "", **options)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.status_line}>"


def fresh_response() -> BaseResponse:
    """The response each request starts with: ``BaseResponse()`` without running its
    ``__init__`` (no arguments to read, no status to parse)."""
    response: BaseResponse = object.__new__(BaseResponse)
    # Every attribute set here, in __init__'s order: reads of class defaults are slower (*hello*).
    response._cookies, response._headers, response.body = None, {}, ""
    response._status_code, response._status_line = 200, "200 OK"
    return response


class HTTPResponse(BaseResponse, BottleException):
    """A response that can be raised (or returned) from a callback, a hook or a plugin to
    answer at once: ``raise HTTPResponse('moved', status=301, Location='/new')``."""

    def apply(self, other: BaseResponse) -> None:
        """Copy status, headers and cookies into ``other`` (the current response)."""
        other._status_code, other._status_line = self._status_code, self._status_line
        other._headers = self._headers
        other._cookies = self._cookies
        other._set_cookies = self._set_cookies
        other.body = self.body


class HTTPError(HTTPResponse):
    """An error response (4xx/5xx) rendered by the app's error handler for its status:
    ``raise HTTPError(404, 'No such note')``. ``exception`` and ``traceback`` keep the
    cause of a 500."""

    default_status = 500

    def __init__(self, status: int | str | None = None, body: Any = None, exception: BaseException | None = None,
                 traceback: str | None = None, **more_headers: Any) -> None:
        self.exception = exception
        self.traceback = traceback
        super().__init__(body, status, **more_headers)


__all__ = ["BaseResponse", "HeaderProperty", "HTTPResponse", "HTTPError", "HTTP_CODES"]
