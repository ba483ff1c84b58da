"""Streamed bodies: a session that lives until the response body is closed.

A callback may return a generator (or an ``HTTPResponse`` around one) whose chunks are made
with ``db`` while the server sends them, after the callback has returned. Closing the
session when the callback returns would lose every write made in the body, and the first
query there would open a new transaction that nobody ends (a connection left
"idle in transaction"). So what the callback did before returning is committed then, as
for any callback, and the session is kept for the body; the body's own queries run in a
transaction that ends with it:

- after the last chunk: committed (or rolled back for ``commit=False`` and error answers);
- on an error while making a chunk: rolled back, and the error raised;
- when the server closes the body before its end (client gone, ``HEAD``, never iterated):
  rolled back, because an answer cut short must not leave half its writes behind.

In every case the session is closed and its connection goes back to the pool; a body that
makes no query holds no connection while it is sent. Before the first chunk is sent, a
database error still becomes its HTTP answer (409, 503, ...); after it, the status line is
on the wire: the error is logged and raised, so the server cuts the answer and the client
sees it incomplete rather than whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .errors import http_error_for, logger

#: Ends a session: ``end(commit, answer_http)`` commits (or rolls back) and closes it.
EndSession = Callable[[bool, bool], None]

# Bodies the app turns into bytes at once, never iterated later by the server.
_EAGER = (str, bytes, bytearray, memoryview, list, tuple, dict)


def streams(body: Any) -> bool:
    """True when ``body`` is made while it is sent: a generator or another lazy iterable
    (not a str, bytes, list, dict or file)."""
    if body is None or isinstance(body, _EAGER):
        return False
    return hasattr(body, "__iter__") and not hasattr(body, "read")


class StreamedBody:
    """Iterates ``body``; ends its session once: when it is exhausted, fails or is closed."""

    def __init__(self, body: Any, end: EndSession, commit: bool) -> None:
        self.body = body
        self.chunks: Iterator[Any] | None = None
        self.end = end
        self.commit = commit
        self.started = False  # a chunk went out: the status can no longer change
        self.ended = False

    def __iter__(self) -> StreamedBody:
        return self

    def __next__(self) -> Any:
        if self.ended:
            raise StopIteration
        try:
            if self.chunks is None:
                self.chunks = iter(self.body)
            chunk = next(self.chunks)
        except StopIteration:
            self._finish(self.commit)
            raise
        except Exception as error:
            self._finish(False)
            answer = None if self.started else http_error_for(error)
            if answer is None:
                raise
            raise answer from error
        except BaseException:
            self._finish(False)
            raise
        self.started = True
        return chunk

    def close(self) -> None:
        """Close the body (its own clean-up may still use the session), then roll back
        and close the session if the body did not run to its end."""
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            if not self.ended:
                self._finish(False)

    def _finish(self, commit: bool) -> None:
        self.ended = True
        try:
            self.end(commit, not self.started)
        except Exception as error:
            if self.started:
                logger.error(
                    "the database transaction of a streamed response failed after the "
                    "response started; the answer is cut short and nothing was saved: %s",
                    error,
                )
            raise
