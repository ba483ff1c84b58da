"""The error page an app answers when no handler of its own is registered for the status: the
status and the error's message, with the traceback (or the debug page) only in debug mode."""

from __future__ import annotations

from typing import Any

from .httputil import html_escape
from .response import HTTPError

ERROR_PAGE = """<!DOCTYPE html>
<html><head><title>{status}</title>
<style>body{{font-family:sans-serif;margin:2em}}pre{{background:#eee;padding:1em;overflow:auto}}</style>
</head><body><h1>{status}</h1><p>{message}</p>{details}</body></html>"""


def error_page(error: HTTPError, debug: bool, environ: dict[str, Any] | None) -> str:
    """The HTML page for ``error``: in debug mode, the debug page for an exception (with the
    request's ``environ``) or the traceback below the message."""
    if debug and error.exception is not None:  # the traceback with source, and the request
        from .debugpage import render_debug_page  # first use only: keeps `import demijohn` light

        return render_debug_page(error, environ)
    details = ""
    if debug and error.traceback:
        details = f"<h2>Traceback</h2><pre>{html_escape(error.traceback)}</pre>"
    message = error.body if isinstance(error.body, str) else ""
    return ERROR_PAGE.format(status=html_escape(error.status_line), message=html_escape(message), details=details)


__all__ = ["ERROR_PAGE", "error_page"]
