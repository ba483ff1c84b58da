"""From a callback's result to the bytes sent: the one place that knows what a result
may be (str, bytes, a list of them, an ``HTTPResponse``, a file, an iterable of chunks).

The app turns every result into a WSGI body with a :class:`Materializer`; a plugin that
must hold a whole answer in hand (a cache storing it, say) calls :func:`materialize`,
which follows the same rules for the results whose body is known once returned.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Iterable, Iterator

from .body_iterators import ContextIterator, FileIterator, close_body
from .context import LocalResponse, current, request
from .response import BaseResponse, HTTPError, HTTPResponse

#: Renders an ``HTTPError`` with the app's error handler for its status; returns a result.
RenderError = Callable[[HTTPError, BaseResponse], Any]
#: Logs an exception raised while making the answer and returns the 500 to send instead.
InternalError = Callable[[dict[str, Any], BaseException], HTTPError]


def materialize(result: Any, response: BaseResponse) -> bytes | None:
    """The whole body ``result`` stands for, as bytes, encoded as the app would send it;
    ``None`` when the body is not known yet or is not this function's to make.

    Known: str (in the charset of ``response``'s ``Content-Type``), bytes, an empty result,
    a list or tuple of str or bytes, the ``response`` object itself, and an ``HTTPResponse``
    holding one of those (its status and headers are applied to ``response`` first, as the
    app does). ``None`` for an ``HTTPError`` (the app's error handler renders it), files and
    iterables (they stream), and a dict (the JSON plugin must have turned it into a str).
    Call it after the plugins that shape results (``json``, ``template``) have run.
    """
    if type(result) is str:  # the common cases first (*hello*)
        return response.encode_text(result)
    if type(result) is bytes:
        return result
    if not result:
        return b""
    if isinstance(result, str):  # subclasses of str and bytes
        return response.encode_text(str(result))
    if isinstance(result, bytes):
        return bytes(result)
    if isinstance(result, (tuple, list)) and isinstance(result[0], (bytes, str)):
        return materialize(result[0][0:0].join(result), response)
    if isinstance(result, HTTPError):
        return None
    if isinstance(result, HTTPResponse):
        result.apply(response)
        return materialize(result.body, response)
    if isinstance(result, LocalResponse):  # the global `response`, returned: its body, as in Bottle
        return materialize(response.body, response)
    return None


class Materializer:
    """Turns a callback's result into the iterable of bytes the server sends, setting
    ``Content-Length`` where the length is known. The app makes one with its error page
    renderer, its 500 maker and its ``catchall`` setting."""

    __slots__ = ("_catchall", "_internal_error", "_render_error")

    def __init__(self, render_error: RenderError, internal_error: InternalError, catchall: Callable[[], bool]) -> None:
        self._render_error = render_error
        self._internal_error = internal_error
        self._catchall = catchall

    def __call__(self, result: Any, response: BaseResponse) -> Iterable[bytes]:
        """The WSGI body for ``result``; errors become the app's error pages."""
        data = response.encode_text(result) if type(result) is str else materialize(result, response)  # *hello*
        if data is None:
            return self._other(result, response)
        response.default_content_length(len(data))
        return [data] if data else []

    def _other(self, result: Any, response: BaseResponse) -> Iterable[bytes]:
        """Errors, answers wrapping a stream, files, and iterables of chunks."""
        if isinstance(result, HTTPError):
            return self(self._render_error(result, response), response)
        if isinstance(result, HTTPResponse):
            result.apply(response)
            return self(result.body, response)
        if isinstance(result, LocalResponse):
            return self(response.body, response)
        if hasattr(result, "read"):
            file_wrapper = request.environ.get("wsgi.file_wrapper")
            if file_wrapper is not None:
                return file_wrapper(result)  # type: ignore[no-any-return]
            return FileIterator(result)
        if isinstance(result, (dict, int, float)):  # Bottle's page says "Unhandled exception" here: apps look for it
            return self(HTTPError(500, f"Unhandled exception: Unsupported response type {type(result).__name__}: "
                                       "return str, bytes, an iterable of them, a file, or a dict with the "
                                       "JSON plugin."), response)
        return self._iterable(result, response)

    def _iterable(self, result: Any, response: BaseResponse) -> Iterable[bytes]:
        """Pull the first chunk before ``start_response`` so an error in it becomes a
        proper error page; then stream the rest."""
        iterator = iter(result)
        try:
            first = next(iterator)
            while not first:
                first = next(iterator)
        except StopIteration:
            close_body(result)
            return self("", response)
        except HTTPResponse as answer:
            close_body(result)
            return self(answer, response)
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except Exception as error:
            close_body(result)
            if not self._catchall():
                raise
            return self(self._internal_error(request.environ, error), response)
        return self._chunks(first, iterator, result, response)

    def _chunks(self, first: Any, iterator: Iterator[Any], result: Any, response: BaseResponse) -> Iterable[bytes]:
        """The stream that starts with ``first``, encoded chunk by chunk in the request's context."""
        if isinstance(first, HTTPResponse):
            close_body(result)
            return self(first, response)
        if isinstance(first, bytes):
            chunks: Iterator[bytes] = itertools.chain([first], iterator)
        elif isinstance(first, str):
            charset = response.charset
            chunks = (chunk.encode(charset) for chunk in itertools.chain([first], iterator))
        else:
            close_body(result)
            return self(HTTPError(500, f"Unsupported response type {type(first).__name__} in a streamed body: "
                                       "yield str or bytes."), response)
        return ContextIterator(chunks, result, current.get())


__all__ = ["Materializer", "materialize"]
