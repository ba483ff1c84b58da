"""Error pages: every 4xx and 5xx of the app is a page of the app, never the framework's bare one.

An HTML error is the app's layout (header, navigation, the signed-in state) with what went wrong
and a way back. Under ``/api/`` an error is problem details (RFC 9457) as JSON, like every other
answer of the API. A 500 never shows internals (the traceback goes to the log), except in debug
mode, where the framework's debug page is more useful to a developer.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from demijohn import HTTP_CODES, App, HTTPError, request, response

from .rendering import Renderer

PROBLEM_JSON = "application/problem+json"
SERVER_ERROR = "Something went wrong on our side. It has been logged; please try again in a moment."


def problem_body(status: int, detail: str) -> str:
    """An RFC 9457 problem details document as JSON text."""
    return json.dumps({"type": "about:blank", "title": HTTP_CODES.get(status, "Error"), "status": status,
                       "detail": detail})


def add_error_pages(app: App, render: Renderer) -> None:
    """Answer every error status of ``app`` with a page of the app (or problem JSON under ``/api/``)."""

    def error_page(error: HTTPError) -> Any:
        content_type = error.get_header("Content-Type")
        if content_type and not content_type.startswith("text/html"):
            return error.body  # already in its own format: problem+json from the API or its validation
        status = error.status_code
        detail = error.body if isinstance(error.body, str) and status != 500 else SERVER_ERROR
        if request.path.startswith("/api/"):
            response.content_type = PROBLEM_JSON
            return problem_body(status, detail)
        if status >= 500 and app.debug_mode:
            return app.default_error_handler(error)
        return render("error.html", status, title=HTTP_CODES.get(status, "Error"), code=status, detail=detail,
                      back=_same_site_referrer())

    for code in HTTP_CODES:
        if code >= 400:
            app.error(code, error_page)


def _same_site_referrer() -> str | None:
    """The path of the page the visitor came from, when it is a page of this site (for "Back")."""
    referrer = request.get_header("Referer")
    if not referrer:
        return None
    parts = urlsplit(referrer)
    path = parts.path
    # "//host/x" or "/\\host" would leave the site in the link: only a plain local path goes back.
    if parts.netloc != request.urlparts.netloc or not path.startswith("/") or path.startswith("//") \
            or "\\" in path:
        return None
    if path == request.path and request.method == "GET":
        return None  # a link to this very page; after a form post, the same path is the form again
    return path + (f"?{parts.query}" if parts.query else "")
