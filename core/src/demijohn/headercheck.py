"""The one check every outgoing header line passes: names, values and ``Set-Cookie``
attributes are refused when they are set if they could not be sent safely.

A header value may hold any text but control characters: CR, LF, NUL and the other C0
controls (tab excepted) and DEL are refused because they would end the header early, split
the response or be cut off by the server, and lone surrogates because they have no bytes.
Text beyond ASCII goes on the wire as its UTF-8 bytes (``BaseResponse.headerlist`` hands
WSGI servers those bytes as a latin-1 string, as Bottle does), so no server ever meets a
character it cannot encode (wsgiref used to send a truncated response for ``€``). A header
name must be an RFC 9110 token.

Cookie attributes are stricter (RFC 6265): no ``;`` (it would add attributes), ASCII only,
a ``Domain`` is a host name, ``Max-Age`` an integer, ``Expires`` a date, ``SameSite`` one of
three words and ``Secure``/``HttpOnly`` booleans.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from http.cookies import CookieError
from typing import Any

from .errors import BottleException
from .httputil import http_date, parse_date

_BAD_VALUE = re.compile("[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_BAD_ATTRIBUTE = re.compile(r"[^\x20-\x3a\x3c-\x7e]")  # visible ASCII and space, without ';'
_DOMAIN = re.compile(r"\.?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?\Z")
_SAMESITE = {"lax": "Lax", "strict": "Strict", "none": "None"}


class UnsafeHeaderError(BottleException, ValueError):
    """A header name or value that cannot be sent safely (a ``ValueError``)."""


class CookieOptionError(UnsafeHeaderError, CookieError):
    """A cookie name or option that cannot be sent safely; also an
    :class:`http.cookies.CookieError`, which Bottle raises for some of them."""


def _describe(char: str) -> str:
    names = {"\r": "a carriage return (CR)", "\n": "a line feed (LF)", "\0": "a NUL byte", ";": "';'"}
    if char in names:
        return names[char]
    if ord(char) > 0xFF:
        return f"{char!r}, which is not latin-1"
    return f"the control character {char!r}" if ord(char) < 0x20 or ord(char) == 0x7F else f"{char!r}"


def header_name(name: Any) -> str:
    """Return ``name`` in the form headers are stored (``content-type`` → ``Content-Type``),
    refusing a name that is not an HTTP token (spaces, ``:``, CR/LF, non-ASCII...)."""
    text = name if isinstance(name, str) else str(name)
    key = text.title().replace("_", "-")
    if key.isascii() and key.replace("-", "").isalnum():  # the usual name: two C calls, no regex
        return key
    if _TOKEN.match(key) is None:
        raise UnsafeHeaderError(f"Header name {text!r} is not a valid HTTP token: use letters, digits and '-' only.")
    return key


def header_value(value: Any) -> str:
    """Return ``value`` as a header value string (``None`` is ``''``, as in Bottle), refusing
    CR, LF, NUL and other control characters: they would inject a header or split the response."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    if text.isascii() and text.isprintable():  # the usual case: one C call each
        return text
    found = _BAD_VALUE.search(text)
    if found is not None:
        raise UnsafeHeaderError(f"Header value {text!r} contains {_describe(found.group())}; a header value cannot carry "
                         "line breaks, NUL or control characters. Strip them, or percent-encode the value "
                         "before setting it.")
    return text


def _attribute_text(cookie: str, option: str, value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    found = _BAD_ATTRIBUTE.search(text)
    if found is not None:
        raise CookieOptionError(f"Cookie {cookie!r}: option {option}={text!r} contains {_describe(found.group())}, which a "
                         "cookie attribute cannot carry; percent-encode it (urllib.parse.quote) or remove it.")
    return text


def _max_age(cookie: str, value: Any) -> int:
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise CookieOptionError(f"Cookie {cookie!r}: max_age must be an int (seconds) or a timedelta, not {value!r}.")


def _expires(cookie: str, value: Any) -> str:
    if isinstance(value, (datetime, date)) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return http_date(value)
    if isinstance(value, str):
        timestamp = parse_date(_attribute_text(cookie, "expires", value))
        if timestamp is not None:
            return http_date(timestamp)
    raise CookieOptionError(f"Cookie {cookie!r}: expires must be a datetime, a date, a Unix timestamp or an HTTP date "
                     f"string ('Sun, 06 Nov 1994 08:49:37 GMT'), not {value!r}.")


def _domain(cookie: str, value: Any) -> str:
    text = _attribute_text(cookie, "domain", value)
    if _DOMAIN.match(text) is None:
        raise CookieOptionError(f"Cookie {cookie!r}: domain={text!r} is not a host name; give letters, digits, '-' and "
                         "dots only (IDNA-encode international names: 'xn--...').")
    return text


def _samesite(cookie: str, value: Any) -> str:
    found = _SAMESITE.get(str(value).lower()) if isinstance(value, str) else None
    if found is None:
        raise CookieOptionError(f"Cookie {cookie!r}: samesite must be 'lax', 'strict' or 'none', not {value!r}.")
    return found


def cookie_option(cookie: str, key: str, value: Any) -> Any:
    """Check one ``set_cookie`` option and return the value to store in the morsel;
    ``None`` leaves the attribute out. ``key`` is the morsel's key (``max-age``).
    Raises ``ValueError`` naming the cookie and the option, and how to fix it."""
    if key in ("secure", "httponly"):
        if value is None or isinstance(value, bool):
            return True if value else None
        raise CookieOptionError(f"Cookie {cookie!r}: {key} must be True or False, not {value!r}.")
    if value is None:
        return None
    if key == "max-age":
        return _max_age(cookie, value)
    if key == "expires":
        return _expires(cookie, value)
    if key == "domain":
        return _domain(cookie, value)
    if key == "samesite":
        return _samesite(cookie, value) if value is not False else None
    return _attribute_text(cookie, key, value)


def cookie_name(name: Any) -> str:
    """Return ``name`` if it can name a cookie (an HTTP token), else raise ``ValueError``."""
    if not isinstance(name, str) or _TOKEN.match(name) is None:
        raise CookieOptionError(f"Cookie name {name!r} is not a valid token: use letters, digits and '-_.!#$%&*+^`|~' "
                         "(no spaces, '=', ';', quotes or control characters).")
    return name


__all__ = ["header_name", "header_value", "cookie_option", "cookie_name", "UnsafeHeaderError", "CookieOptionError"]
