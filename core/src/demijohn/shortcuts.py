"""The shortcuts a callback calls to answer at once: :func:`abort` (an error page) and
:func:`redirect` (a redirect to an absolute URL built from the current request)."""

from __future__ import annotations

import re
from typing import Any, NoReturn
from urllib.parse import quote, urljoin

from .context import bound_pair, request
from .proxy import origin_of
from .response import HTTPError, HTTPResponse

# Line breaks and other control characters in a target would split the Location header.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def abort(code: int = 500, text: str = "Unknown Error.") -> NoReturn:
    """Stop the request with an :class:`HTTPError` of status ``code`` and message ``text``."""
    raise HTTPError(code, text)


def redirect(url: str, code: int | None = None) -> NoReturn:
    """Answer with a redirect to ``url`` (relative URLs resolve against the request URL):
    303 for HTTP/1.1 requests, else 302, unless ``code`` says otherwise. Line breaks and
    other control characters in ``url`` are percent-encoded, so a user-supplied target
    cannot inject headers. To avoid open redirects, check that user-supplied targets are
    relative paths (start with a single ``/``) before passing them here."""
    environ, current = bound_pair()  # one context read for the whole redirect (*redirect*)
    if code is None:
        code = 303 if environ.get("SERVER_PROTOCOL") == "HTTP/1.1" else 302
    target = _CONTROL_CHARACTERS.sub(_percent_encode, url) if _CONTROL_CHARACTERS.search(url) else url
    if current.has_headers():  # headers or cookies set before the redirect go out with it
        answer = current.copy(cls=HTTPResponse)
        answer.status = code
    else:
        answer = HTTPResponse("", code)
    answer.set_header("Location", _absolute_url(environ, target, url))
    raise answer


def _absolute_url(environ: dict[str, Any], target: str, given: str) -> str:
    """``target`` as an absolute URL on the current request's scheme and host. A path from
    the root (one leading ``/``) is joined by concatenation; anything else goes through
    :func:`urllib.parse.urljoin` against the request URL. ``given`` (the target as the
    callback gave it) is quoted in the 400 raised when the Host header cannot be in a URL."""
    scheme, host = origin_of(environ)
    if target[:1] == "/" and target[1:2] != "/" and "[" not in host and "]" not in host:
        return f"{scheme}://{host}{target}"  # the common case needs no URL parsing (*redirect*)
    try:
        return urljoin(request.url, target)
    except ValueError as error:  # a malformed Host header ("[") or target: the client's mistake, not ours
        raise HTTPError(400, f"Cannot build the redirect URL from the Host header and {given!r}: "
                             f"{error}.") from None


def _percent_encode(found: re.Match[str]) -> str:
    return quote(found.group(0))


__all__ = ["abort", "redirect"]
