"""The debug error page: what an uncaught exception answers in debug mode (``demijohn.debug()``,
``python -m demijohn --debug``).

The page shows the exception, then the traceback, one frame per call with the source lines
around the line that ran (your frames open, the framework's and libraries' folded), then the
request that caused it: method, path, query, route and headers. Values that look secret
(``Cookie``, ``Authorization``, any name with token, secret, password, key, session, csrf or
auth in it) are masked, so a screenshot of the page can be shared. The traceback comes last
as plain text too, to paste into a bug report. Everything is HTML-escaped, and the page is
plain HTML and CSS: folding uses ``<details>``, so it works without JavaScript. Local
variables are not shown: they are where secrets live.

Out of debug mode the app never calls this module: its error page names the status only.
"""

from __future__ import annotations

import linecache
import os
import re
import sysconfig
import traceback
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from .httputil import html_escape
from .response import HTTPError

#: Source lines shown before and after the line a frame was running.
CONTEXT_LINES = 3

#: How often one frame repeated in a row is shown before the rest are only counted.
REPEATS_SHOWN = 3

#: Header and query names whose values are masked on the page.
SECRET_NAME = re.compile(r"cookie|authori[sz]ation|token|secret|passw|pwd|key|session|csrf|auth|credential",
                         re.IGNORECASE)

# Frames under these folders are not the app's own: they are folded on the page.
_LIBRARY_FOLDERS = tuple(
    os.path.join(os.path.realpath(path), "")
    for path in {os.path.dirname(__file__), sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"],
                 sysconfig.get_paths()["platlib"]}
)

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{background:#8b1a1a;color:#fff;padding:1.2em 2em}header h1{margin:0;font-size:1.5em;overflow-wrap:anywhere}
header p{margin:.4em 0 0;opacity:.9}main{padding:1em 2em 3em;max-width:80em}
h2{font-size:1.15em;margin:1.6em 0 .5em}h3{font-size:1em;margin:1.2em 0 .4em}.how{margin:0 0 .6em;color:#444}
details{background:#fff;border:1px solid #ddd;border-radius:6px;margin:.4em 0}
summary{cursor:pointer;padding:.45em .8em;font-family:ui-monospace,monospace;font-size:.9em;overflow-wrap:anywhere}
summary .where{color:#666}details.library summary{color:#666}
pre{margin:0;padding:.5em 0;overflow:auto;font:13px/1.5 ui-monospace,monospace;background:#f6f6f6}
pre span{display:block;padding:0 .8em;white-space:pre}pre .ran{background:#fde2e2;font-weight:bold}
pre mark{background:#f7b4b4;border-radius:2px}pre .no{display:inline-block;width:4.5em;color:#999;user-select:none}
.chain{margin:1.2em 0 .4em;font-style:italic;color:#555}
table{border-collapse:collapse;background:#fff;font-size:.9em}
th,td{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f0f0f0;font-weight:600;white-space:nowrap}td.masked{color:#888;font-style:italic}
pre.plain{padding:.8em}
"""


def render_debug_page(error: HTTPError, environ: Mapping[str, Any] | None) -> str:
    """The debug page for ``error`` (whose ``exception`` caused it) raised while answering ``environ``."""
    exception = error.exception
    if isinstance(exception, BaseException):
        title, frames = describe(exception), _chain_html(exception)
        plain = error.traceback or "".join(traceback.format_exception(exception))
    else:
        title, plain = repr(exception), error.traceback or ""
        frames = f"<p>{html_escape(title)}</p>"
    return (
        f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{html_escape(error.status_line)}: {html_escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><header><h1>{html_escape(title)}</h1>"
        f"<p>{html_escape(error.status_line)} · shown because debug mode is on; without it this page "
        f"names the status only.</p></header><main>"
        f"<h2>Traceback</h2><p class=\"how\">Most recent call last: the last frame is where the exception was "
        f"raised, and the highlighted line is the one that ran. Your code is open; the framework's and "
        f"libraries' frames are folded (click to open).</p>"
        f"{frames}<h2>Request</h2>{_request_html(environ)}"
        f"<h2>The traceback as text</h2><details><summary>to paste into a bug report</summary>"
        f"<pre class=\"plain\">{html_escape(plain)}</pre></details></main></body></html>"
    )


def describe(exception: BaseException) -> str:
    """``ValueError: the message``, the way Python's traceback names an exception."""
    kind = type(exception)
    name = kind.__qualname__ if kind.__module__ in ("builtins", "__main__") else f"{kind.__module__}.{kind.__qualname__}"
    try:
        message = str(exception)
    except Exception:  # noqa: BLE001 - a broken __str__ must not break the page that reports it
        message = "<str() of the exception failed>"
    return f"{name}: {message}" if message else name


def _chain(exception: BaseException) -> list[tuple[BaseException, str]]:
    """The exceptions that led to ``exception`` and it, in the order Python prints them (the
    first cause first), each with the sentence printed before it."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exception
    while current is not None and id(current) not in seen:  # a context can loop back
        seen.add(id(current))
        if current.__cause__ is not None:
            sentence, earlier = "The above exception was the direct cause of this one:", current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            sentence, earlier = "During handling of the above exception, this one happened:", current.__context__
        else:
            sentence, earlier = "", None
        chain.append((current, sentence))
        current = earlier
    chain[-1] = (chain[-1][0], "")  # nothing is printed above the first one
    return chain[::-1]


def _chain_html(exception: BaseException) -> str:
    """Every exception of the chain with its frames, joined by the sentences Python puts between them."""
    parts = []
    for link, sentence in _chain(exception):
        if sentence:
            parts.append(f'<p class="chain">{sentence}</p>')
        parts.append(_frames_html(traceback.extract_tb(link.__traceback__)))
        parts.append(f"<p><strong>{html_escape(describe(link))}</strong></p>")
    return "".join(parts)


def _frames_html(stack: traceback.StackSummary) -> str:
    """The frames of one exception; a frame repeated more than :data:`REPEATS_SHOWN` times in a
    row (a runaway recursion) is shown that often, then counted, as Python's traceback does."""
    parts: list[str] = []
    previous, repeats = None, 0
    for frame in [*stack, None]:
        key = None if frame is None else (frame.filename, frame.lineno, frame.name)
        if key is not None and key == previous:
            repeats += 1
            if repeats > REPEATS_SHOWN:
                continue
        else:
            if repeats > REPEATS_SHOWN:
                parts.append(f'<p class="chain">The frame above repeated {repeats - REPEATS_SHOWN} more times.</p>')
            previous, repeats = key, 1
        if frame is not None:
            parts.append(_frame_html(frame))
    return "".join(parts)


def _is_library(filename: str) -> bool:
    """Whether ``filename`` is the framework's, the standard library's or an installed package's."""
    return os.path.realpath(filename).startswith(_LIBRARY_FOLDERS) or filename.startswith("<frozen ")


def _frame_html(frame: traceback.FrameSummary) -> str:
    """One frame: where it is (file, line, function) and the source lines around the one that ran."""
    filename, number = frame.filename, frame.lineno or 0
    library = _is_library(filename)
    lines = []
    for line_number in range(max(1, number - CONTEXT_LINES), number + CONTEXT_LINES + 1):
        source = linecache.getline(filename, line_number)
        if not source:
            continue
        if line_number == number:
            lines.append(f'<span class="ran"><span class="no">{line_number}</span>{_marked(source.rstrip(), frame)}</span>')
        else:
            lines.append(f'<span><span class="no">{line_number}</span>{html_escape(source.rstrip())}</span>')
    source_html = f"<pre>{''.join(lines)}</pre>" if lines else "<pre><span>(source not available)</span></pre>"
    folding = ' class="library"' if library else " open"
    return (
        f"<details{folding}><summary>"
        f"{html_escape(frame.name)} <span class=\"where\">{html_escape(filename)}, line {number}</span>"
        f"</summary>{source_html}</details>"
    )


def _marked(line: str, frame: traceback.FrameSummary) -> str:
    """The line that ran, escaped, with the expression that raised in ``<mark>`` where Python
    tells which (3.11 and later, when the expression fits on the line)."""
    start, end = getattr(frame, "colno", None), getattr(frame, "end_colno", None)
    if start is None or end is None or getattr(frame, "end_lineno", None) != frame.lineno:
        return html_escape(line)
    encoded = line.encode()  # the offsets count UTF-8 bytes
    before, expression, after = (encoded[:start].decode(errors="replace"), encoded[start:end].decode(errors="replace"),
                                 encoded[end:].decode(errors="replace"))
    return f"{html_escape(before)}<mark>{html_escape(expression)}</mark>{html_escape(after)}"


def _masked(name: str, value: str) -> str | None:
    """``None`` when ``value`` may be shown under ``name``, else the text shown instead."""
    if SECRET_NAME.search(name):
        return f"masked ({len(value)} characters)"
    return None


def _table(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column table of names and values, secret-looking values masked."""
    cells = []
    for name, value in rows:
        masked = _masked(name, value)
        shown = f'<td class="masked">{masked}</td>' if masked else f"<td>{html_escape(value)}</td>"
        cells.append(f"<tr><th>{html_escape(name)}</th>{shown}</tr>")
    return f"<table>{''.join(cells)}</table>" if cells else "<p>(none)</p>"


def _headers(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The request headers from ``environ``, named as they came (``Content-Type``, ``X-Token``)."""
    headers = []
    # Servers fill in CONTENT_TYPE (wsgiref: text/plain) and CONTENT_LENGTH for bodyless requests too.
    has_body = bool(environ.get("CONTENT_LENGTH")) or "HTTP_TRANSFER_ENCODING" in environ
    for key, value in sorted(environ.items()):
        if key.startswith("HTTP_") or (has_body and key in ("CONTENT_TYPE", "CONTENT_LENGTH")):
            name = key[5:] if key.startswith("HTTP_") else key
            headers.append(("-".join(part.capitalize() for part in name.split("_")), str(value)))
    return headers


def _request_html(environ: Mapping[str, Any] | None) -> str:
    """Method, path, route, query and headers of the request."""
    if not environ or "REQUEST_METHOD" not in environ:  # none bound, or the main thread's empty default
        return "<p>(raised outside a request)</p>"
    route = environ.get("bottle.route")
    callback = getattr(route, "callback", None)
    where = f"{getattr(callback, '__module__', '?')}.{getattr(callback, '__qualname__', '?')}" if callback else ""
    summary = [
        ("Method", str(environ.get("REQUEST_METHOD", ""))),
        ("Path", str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", ""))),
        ("Route", f"{route.method} {route.rule} → {where}" if route is not None else "(no route matched)"),
        ("Client", str(environ.get("REMOTE_ADDR", ""))),
    ]
    query = parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
    return f"{_table(summary)}<h3>Query</h3>{_table(query)}<h3>Headers</h3>{_table(_headers(environ))}"
