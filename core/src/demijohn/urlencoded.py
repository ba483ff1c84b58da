"""Percent-encoded ``name=value&...`` text, as query strings and urlencoded form bodies
carry it, parsed into a :class:`FormsDict`; malformed escapes and invalid UTF-8 are a 400."""

from __future__ import annotations

import re
from urllib.parse import unquote

from .datastructures import DecodedFormsDict, FormsDict
from .response import HTTPError

_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")

# "%xx" -> the character of that code point, for both cases of hex digit: a percent-escape
# decoded by one dict read instead of urllib's regex split (*form*).
_HEX_CHARS = {f"{code:02{case}}": chr(code) for code in range(256) for case in "xX"}


def _percent_decode(text: str) -> str:
    """ASCII ``text`` with valid escapes only → the text the escaped UTF-8 bytes spell."""
    first, *rest = text.split("%")
    decoded = first + "".join([_HEX_CHARS[part[:2]] + part[2:] for part in rest])
    return decoded if decoded.isascii() else decoded.encode("latin-1").decode("utf-8")


def _unquote(text: str, what: str) -> str:
    if "+" in text:
        text = text.replace("+", " ")
    raw = not text.isascii()
    if raw:  # raw bytes the server passed through as latin-1
        try:
            text = text.encode("latin-1").decode("utf-8")
        except UnicodeError:
            raise HTTPError(400, f"The {what} is not valid UTF-8.") from None
    if "%" not in text:
        return text
    if _BAD_ESCAPE.search(text):
        raise HTTPError(400, f"Malformed percent-encoding in the {what}: '%' must be followed by two hex digits.")
    try:
        return unquote(text, errors="strict") if raw else _percent_decode(text)
    except UnicodeDecodeError:
        raise HTTPError(400, f"The {what} does not decode as UTF-8 after percent-decoding.") from None


def parse_query(text: str, what: str = "query string") -> FormsDict:
    """Parse ``a=1&b=2&a=3`` into a :class:`FormsDict`; raises a 400 ``HTTPError`` for
    malformed percent-encoding or invalid UTF-8."""
    values: dict[str, list[str]] = {}
    # Most query strings need no decoding at all: check once, not per key and value (*request access*).
    plain = text.isascii() and "%" not in text and "+" not in text
    for pair in text.split("&"):
        if pair:
            key, _, value = pair.partition("=")
            if not plain:
                key, value = _unquote(key, what), _unquote(value, what)
            if key in values:
                values[key].append(value)
            else:
                values[key] = [value]
    return DecodedFormsDict.from_lists(values)
