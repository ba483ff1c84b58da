"""The request's ``Cookie`` header parsed into name → values (control characters are a 400)."""

from __future__ import annotations

import re

from .response import HTTPError

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def parse_cookie_header(header: str) -> dict[str, list[str]]:
    """``name=value`` pairs of a ``Cookie`` header; a quoted value is unquoted as
    ``SimpleCookie`` does (signed values are never quoted: *cookie-signed*)."""
    values: dict[str, list[str]] = {}
    if not header:
        return values
    if _CONTROL.search(header):
        raise HTTPError(400, "Malformed Cookie header: it contains control characters.")
    quoted = '"' in header
    for pair in header.split(";"):
        name, sep, value = pair.strip().partition("=")
        if not sep or not name:
            continue
        if quoted and len(value) > 1 and value[0] == value[-1] == '"':
            from http.cookies import CookieError, SimpleCookie

            parsed = SimpleCookie()
            try:
                parsed.load(f"{name}={value}")
                value = parsed[name].value
            except (CookieError, KeyError):
                continue
        if name in values:
            values[name].append(value)
        else:
            values[name] = [value]
    return values
