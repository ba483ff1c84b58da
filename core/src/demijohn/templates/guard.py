"""A safety net under :func:`demijohn.template`: text that came from the request being
answered is never compiled as template source.

Templates are code, so ``template(request.query.page)`` or ``template('Hello ' + name)``
with a ``name`` from the request runs whatever the client sends (``{{__import__('os')...}}``).
Before :func:`~demijohn.template` compiles a string it took for source, it looks at what
the client sent (path, query, headers and cookies, the URL wildcards, and form fields or
JSON the app already read) and refuses, with a 400, when a value that itself contains
template markup appears in the template text. The check runs only when a template is
compiled (a cache miss), never on the rendering of a cached one.

It is a net, not a licence: the rule stays "never build a template from request input";
pass request values as template *variables*, which are printed, never run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_plus

from ..context import current
from ..response import HTTPError
from .base import TemplateError

# What makes a value template code for some engine: an inline expression or tag, a block,
# a Mako expression, or a line starting with '%'.
_MARKUP = re.compile(r"\{\{|\{%|<%|\$\{|^[ \t]*%", re.MULTILINE)


class TemplateSourceError(HTTPError, TemplateError):
    """Raised (as a 400 answer) when template source contains template markup the client
    sent: the app built a template from request input."""

    def __init__(self, message: str) -> None:
        super().__init__(400, message)


def refuse_request_markup(source: str) -> None:
    """Raise :class:`TemplateSourceError` if ``source`` contains a value of the current
    request that carries template markup; do nothing outside a request."""
    try:
        environ = current.get()[0]
    except LookupError:
        return
    for where, value in _client_values(environ):
        if value in source and _MARKUP.search(value):
            route = environ.get("bottle.route")
            errors = environ.get("wsgi.errors")
            if errors is not None:  # the answer goes to the client; the developer must hear of the bug too
                errors.write(f"demijohn: template() was given the request's {where} as template source (route "
                             f"{getattr(route, 'rule', '?')!r}); refused with a 400. Pass it as a variable.\n")
            raise TemplateSourceError(
                f"The request's {where} contains template markup ({value[:60]!r}) that the application passed to "
                "template() as part of a template's source; it was not run. Pass request values as template "
                "variables instead: template('Hello {{name}}', name=value).")


def _client_values(environ: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Each piece of text the client sent, with where it came from. Reads the raw environ
    (and bodies the app already parsed) so that nothing is parsed or marked on the request."""
    yield "path", _text(environ.get("PATH_INFO", ""))
    query = environ.get("QUERY_STRING", "")
    yield "query string", unquote_plus(_text(query))
    for pair in query.split("&"):
        yield "query string", unquote_plus(_text(pair.partition("=")[2]))
    for key, value in environ.items():
        if key.startswith("HTTP_") and isinstance(value, str):
            yield f"{key[5:].replace('_', '-').title()} header", _text(value)
    for pair in environ.get("HTTP_COOKIE", "").split(";"):
        yield "cookie", _text(pair.partition("=")[2].strip().strip('"'))
    for value in (environ.get("route.url_args") or {}).values():
        yield "URL", str(value)
    forms = environ.get("bottle.request.post")
    for _, value in forms.allitems() if forms is not None else ():
        if isinstance(value, str):
            yield "form data", value
    yield from (("JSON body", text) for text in _strings(environ.get("bottle.request.json")))


def _text(value: str) -> str:
    """A WSGI (latin-1) string as the text the client meant (UTF-8)."""
    return value if value.isascii() else value.encode("latin-1", "replace").decode("utf-8", "replace")


def _strings(value: Any) -> Iterator[str]:
    """Every string in a parsed JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


__all__ = ["TemplateSourceError", "refuse_request_markup"]
