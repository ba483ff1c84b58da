"""Mounting: serving a whole app (a demijohn app or any WSGI callable) below a path prefix,
through one route whose callback shifts ``SCRIPT_NAME``/``PATH_INFO`` and calls it."""

from __future__ import annotations

import itertools
import warnings
from typing import Any, Callable

from .context import request
from .response import HTTPResponse


def mount_segments(prefix: str, target: Any) -> list[str]:
    """The path segments of a mount ``prefix``; a ``ValueError`` for a prefix that does not
    start with ``/``, for ``/`` itself, or for a target that is not callable. A prefix
    without a trailing ``/`` works but warns, as in Bottle 0.13."""
    if not prefix.startswith("/"):
        raise ValueError(f"Mount prefix {prefix!r} must start with '/'.")
    if not prefix.endswith("/"):
        warnings.warn(f"Mount prefix {prefix!r} should end with '/': mount({prefix + '/'!r}, ...) (deprecated in "
                      "Bottle 0.13).", DeprecationWarning, stacklevel=3)
    segments = [segment for segment in prefix.split("/") if segment]
    if not segments:
        raise ValueError("An application cannot be mounted at '/'; use merge() to combine routes.")
    if not callable(target):
        raise ValueError(f"Cannot mount {target!r}: it is not a WSGI application.")
    return segments


def mountpoint(target: Callable[..., Any], depth: int) -> Callable[..., HTTPResponse]:
    """The route callback that serves ``target`` with ``depth`` path segments moved from
    ``PATH_INFO`` to ``SCRIPT_NAME``; its answer (status, headers, body) is the response."""
    def serve_mounted(**_: Any) -> HTTPResponse:
        environ = request.environ
        saved = {key: environ.get(key) for key in ("bottle.app", "bottle.route", "route.handle", "route.url_args",
                                                   "PATH_INFO", "SCRIPT_NAME")}
        request.path_shift(depth)
        for key in ("PATH_INFO", "SCRIPT_NAME"):  # back to WSGI's latin-1 form for the mounted app
            if not environ[key].isascii():
                environ[key] = environ[key].encode("utf-8").decode("latin-1")
        try:
            answer = HTTPResponse([])

            def start_response(status: str, headerlist: list[tuple[str, str]], exc_info: Any = None) -> Any:
                if exc_info:
                    raise exc_info[1].with_traceback(exc_info[2])
                answer.status = status
                for name, value in headerlist:
                    answer.add_header(name, value)
                return answer.body.append

            body = target(environ, start_response)
            answer.body = itertools.chain(answer.body, body) if answer.body else body
            return answer
        finally:
            environ.update(saved)

    return serve_mounted


__all__ = ["mount_segments", "mountpoint"]
