"""Problem details (RFC 9457) answers and the list of schema violations they carry."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from demijohn import HTTPError
from jsonschema.protocols import Validator

PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Bad Request",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
}


def pointer(path: Iterable[Any]) -> str:
    """Render an instance path as a JSON Pointer in URI fragment form: ``['tags', 0]`` -> ``'#/tags/0'``."""
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in path)
    return "#" + "".join("/" + part for part in escaped)


#: Longest message kept: jsonschema quotes the offending value, which may be the whole body.
MAX_MESSAGE = 500


def _shorten(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def violations(validator: Validator, instance: Any) -> list[dict[str, str]]:
    """Every violation of ``instance`` (not only the first), as ``{"pointer", "message"}`` dicts."""
    try:
        return [
            {"pointer": pointer(error.absolute_path), "message": _shorten(error.message)}
            for error in validator.iter_errors(instance)
        ]
    except RecursionError:
        # A recursive schema (a tree, say) follows the instance down as deep as it goes.
        return [{"pointer": "#", "message": "The document is nested too deeply to validate."}]


def problem_body(status: int, detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The problem details object for ``status``; ``errors`` lists violations when there are any."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem(status: int, detail: str, errors: list[dict[str, str]] | None = None) -> HTTPError:
    """An ``application/problem+json`` answer to raise.

    An ``HTTPError``, so outer plugins see a failure (and, say, roll a transaction back) and
    an ``@app.error(status)`` handler can still reshape it; without one, the core sends an
    error that brings its own Content-Type as it is.
    """
    error = HTTPError(status, json.dumps(problem_body(status, detail, errors)))
    error.set_header("Content-Type", PROBLEM_CONTENT_TYPE)
    return error


def count(what: str, total: int, listed: int) -> str:
    """``'The request body does not match its schema: 3 violations.'`` (and how many are listed, if not all)."""
    text = f"{what}: {total} violation{'s' if total != 1 else ''}"
    return f"{text}; the first {listed} are listed." if listed < total else f"{text}."


def violation_problem(
    status: int, what: str, errors: list[dict[str, str]], max_errors: int | None
) -> HTTPError:
    """A problem listing ``errors`` (at most ``max_errors`` of them) for a schema failure."""
    listed = errors if max_errors is None else errors[:max_errors]
    return problem(status, count(what, len(errors), len(listed)), listed)


def server_problem(detail: str, errors: list[dict[str, str]] | None = None) -> HTTPError:
    """An ``application/problem+json`` 500 to raise when the application itself is at fault."""
    return problem(500, detail, errors)
