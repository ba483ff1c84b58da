"""HTTP helpers: status codes, dates, ``Authorization`` and ``Range`` headers, escaping,
signed cookie values and SCRIPT_NAME/PATH_INFO shifting.

Written by hand so the core keeps no required dependency.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime, timezone
from http import HTTPStatus
from typing import Any, Iterator

# email.utils, hmac and hashlib are imported inside the functions that need them: most
# requests never format a date or sign a cookie, and import time counts (bench: importtime).

HTTP_CODES: dict[int, str] = {status.value: status.phrase for status in HTTPStatus}
HTTP_CODES[418] = "I'm a teapot"
HTTP_CODES[428] = "Precondition Required"
HTTP_CODES[429] = "Too Many Requests"
HTTP_CODES[431] = "Request Header Fields Too Large"
HTTP_CODES[451] = "Unavailable For Legal Reasons"
HTTP_CODES[511] = "Network Authentication Required"

#: ``{code: "code reason"}``, the status lines the server sends; computed once.
STATUS_LINES: dict[int, str] = {code: f"{code} {reason}" for code, reason in HTTP_CODES.items()}

#: Statuses whose answers carry no body (RFC 9110 section 6.4.1): the app sends none.
BODYLESS_STATUSES = frozenset((100, 101, 204, 304))
#: Of those, the ones whose body headers (``Content-Type``, ``Content-Length``, ...) are left out too;
#: a 1xx keeps them, as Bottle does and as WSGI's validator (``wsgiref.validate``) expects.
NO_BODY_HEADER_STATUSES = frozenset((204, 304))

#: The largest cookie (name and value) browsers keep (RFC 6265 section 6.1): 4 KB.
MAX_COOKIE_SIZE = 4096


def http_date(value: datetime | date | float | int | str) -> str:
    """Format a datetime, date or Unix timestamp as an RFC 7231 date (``Sun, 06 Nov 1994 08:49:37 GMT``).
    A string passes through unchanged."""
    import email.utils

    if isinstance(value, str):
        return value
    if isinstance(value, datetime):  # naive datetimes are taken as UTC, as HTTP dates are
        value = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    elif isinstance(value, date):
        value = datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp()
    return email.utils.formatdate(float(value), usegmt=True)


def parse_date(value: str) -> float | None:
    """Parse an HTTP date into a Unix timestamp; ``None`` when it is not a valid date."""
    import email.utils

    try:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        return email.utils.mktime_tz(parsed)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def parse_auth(header: str) -> tuple[str, str] | None:
    """Parse a Basic ``Authorization`` header into ``(user, password)``; ``None`` if it is
    missing, of another scheme or malformed."""
    try:
        scheme, data = header.split(None, 1)
        if scheme.lower() != "basic":
            return None
        user, password = base64.b64decode(data.strip(), validate=True).decode("utf-8").split(":", 1)
        return user, password
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def _ascii_digits(text: str) -> bool:
    """True for ``''`` or up to 19 ASCII digits: ``int()`` would also take ``1_0``, ``+1``,
    `` 1`` and other scripts' digits, which no HTTP number may hold (longer numbers are past
    any file's end, and would trip ``int()``'s digit limit)."""
    return not text or (len(text) <= 19 and text.isascii() and text.isdigit())


def parse_range_header(header: str, maxlen: int = 0) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` byte ranges (end exclusive) from a ``Range`` header for a
    resource of ``maxlen`` bytes; unsatisfiable or malformed ranges are left out."""
    if not header or not header.startswith("bytes="):
        return
    for spec in header[6:].split(","):
        start_text, sep, end_text = spec.strip().partition("-")
        if not sep or not (start_text or end_text):
            continue
        if not _ascii_digits(start_text) or not _ascii_digits(end_text):
            continue
        if not start_text:  # suffix range: the last N bytes
            start, end = max(0, maxlen - int(end_text)), maxlen
        elif not end_text:  # open range: from start to the end
            start, end = int(start_text), maxlen
        else:
            start, end = int(start_text), min(int(end_text) + 1, maxlen)
        if 0 <= start < end <= maxlen:
            yield start, end


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    """Split ``text`` at ``separator`` where it is not inside a double-quoted string."""
    parts, start, quoted, escaped = [], 0, False, False
    for position, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append(text[start:position])
            start = position + 1
    parts.append(text[start:])
    return parts


def _unquote_header_value(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('\\"', '"')  # only \" is an escape: browsers send C:\path and \\host as is
    return text


def parse_http_header(header: str) -> list[tuple[str, dict[str, str]]]:
    """Parse a header of comma-separated values with ``;key=value`` parameters (``Accept``,
    ``Content-Type``, ``Content-Disposition``) into ``[(value, {key: value})]``; quoted
    strings may hold commas, semicolons and ``\\"`` escapes, parameter names are lower-cased.

    >>> parse_http_header('text/html;q=0.9, "a,b"')
    [('text/html', {'q': '0.9'}), ('a,b', {})]
    """
    values = []
    for item in _split_outside_quotes(header, ","):
        value, *parameters = _split_outside_quotes(item, ";")
        options = {}
        for parameter in parameters:
            key, *rest = _split_outside_quotes(parameter, "=")
            options[_unquote_header_value(key).lower()] = _unquote_header_value("=".join(rest))
        values.append((_unquote_header_value(value), options))
    return values


def html_escape(text: str) -> str:
    """Escape ``& < > " '`` so ``text`` can be put into HTML."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace('"', "&quot;").replace("'", "&#039;")
    )


def html_quote(text: str) -> str:
    """Escape and quote ``text`` for use as an HTML attribute value (newlines kept)."""
    escaped = html_escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return f'"{escaped}"'


def path_shift(script_name: str, path_info: str, shift: int = 1) -> tuple[str, str]:
    """Move ``shift`` path segments from ``path_info`` to ``script_name`` (negative: back).

    >>> path_shift('/a', '/b/c', 1)
    ('/a/b', '/c')
    """
    if shift == 0:
        return script_name, path_info
    path_list = path_info.strip("/").split("/")
    script_list = script_name.strip("/").split("/")
    if path_list and path_list[0] == "":
        path_list = []
    if script_list and script_list[0] == "":
        script_list = []
    if 0 < shift <= len(path_list):
        moved = path_list[:shift]
        script_list, path_list = script_list + moved, path_list[shift:]
    elif 0 > shift >= -len(script_list):
        moved = script_list[shift:]
        path_list, script_list = moved + path_list, script_list[:shift]
    else:
        raise AssertionError(f"Cannot shift {shift} segments between {script_name!r} and {path_info!r}.")
    new_script_name = "/" + "/".join(script_list)
    new_path_info = "/" + "/".join(path_list)
    if path_info.endswith("/") and path_list:
        new_path_info += "/"
    return new_script_name, new_path_info


def _key(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def _signature(secret: str | bytes, payload: bytes) -> bytes:
    """The padded base64url HMAC-SHA256 of ``payload``: the signature of the first format."""
    import hmac

    return base64.urlsafe_b64encode(hmac.digest(_key(secret), payload, "sha256"))


def _unpadded_b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cookie_encode(name: str, value: Any, secret: str | bytes) -> str:
    """Serialise ``value`` as JSON and sign it (HMAC-SHA256 over name and payload):
    ``!<signature>.<payload>``, both unpadded base64url.

    The result holds only characters a cookie value carries bare (no quoting, so the
    request reads it without ``SimpleCookie``: *cookie-signed*); it is never pickled, so
    a forged cookie can at worst fail verification."""
    import hmac

    payload = base64.urlsafe_b64encode(json.dumps([name, value], separators=(",", ":")).encode("utf-8")).rstrip(b"=")
    signature = base64.urlsafe_b64encode(hmac.digest(_key(secret), payload, "sha256")).rstrip(b"=")
    return "!" + signature.decode("ascii") + "." + payload.decode("ascii")


def cookie_decode(data: str, secret: str | bytes, name: str | None = None) -> Any:
    """Verify and decode a value made by :func:`cookie_encode`, in its current format or
    the first one (``!<signature>?<payload>``, padded, which earlier releases set); ``None``
    when the signature does not match, the data is malformed, or it was signed for
    another cookie name."""
    if not cookie_is_encoded(data) or not data.isascii():
        return None
    import hmac

    if "?" in data:  # the first format: padded base64, so the value travelled quoted
        signature, _, payload = data[1:].partition("?")
        expected = _signature(secret, payload.encode("ascii"))
    else:
        signature, _, payload = data[1:].partition(".")
        expected = base64.urlsafe_b64encode(hmac.digest(_key(secret), payload.encode("ascii"), "sha256")).rstrip(b"=")
    if not hmac.compare_digest(signature.encode("ascii"), expected):
        return None
    try:
        stored_name, value = json.loads(_unpadded_b64decode(payload.rstrip("=")))
    except (ValueError, TypeError, binascii.Error):
        return None
    if name is not None and stored_name != name:
        return None
    return value


def cookie_is_encoded(data: str) -> bool:
    """True if ``data`` looks like a signed cookie value (it may still fail verification)."""
    return data.startswith("!") and ("." in data or "?" in data)


