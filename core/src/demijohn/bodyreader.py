"""Reading the request body from the server's ``wsgi.input``: chunked transfer coding
decoded when the server leaves it to the app, and failures of the read turned into 4xx.

wsgiref hands the app the raw socket stream of a chunked request (it sets no
``wsgi.input_terminated``), so :class:`ChunkedReader` decodes it (RFC 9112 section 7.1);
gunicorn, waitress and cheroot decode it themselves. A body that cannot be read is the
client's fault: a malformed chunk is a 400, a client that stops sending is a 408
(the server's read timeout fired), never a 500. Written by hand so the core keeps no
required dependency.
"""

from __future__ import annotations

import re
from io import BytesIO
from typing import IO, Any

from .response import HTTPError

_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?\r?\n\Z")
_MAX_LINE = 4096  # a chunk-size line or a trailer line; longer ones are refused
_MAX_TRAILERS = 100


def wants_chunked_decoding(environ: dict[str, Any]) -> bool:
    """True when the request body is chunked and the server passed it on undecoded."""
    coding = environ.get("HTTP_TRANSFER_ENCODING") or ""
    return "chunked" in coding.lower() and not environ.get("wsgi.input_terminated")


def read_from(source: IO[bytes], size: int) -> bytes:
    """``source.read(size)``, with whatever the server raises turned into an ``HTTPError``:
    408 when the server's read timeout fired, 400 for anything else (a malformed chunk on
    gunicorn, a connection reset)."""
    try:
        return source.read(size)
    except HTTPError:
        raise
    except TimeoutError:
        raise HTTPError(408, "The request body did not arrive in time: the client stopped sending it.") from None
    except Exception as error:  # noqa: BLE001 - the server's input failed: the client sent a broken body
        raise HTTPError(400, f"The request body could not be read: {error or type(error).__name__}.") from None


class ChunkedReader:
    """A file-like reader that decodes a chunked body from ``source`` (``read`` only).
    A malformed chunk raises a 400 ``HTTPError`` saying what was wrong."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.remaining = 0  # bytes left in the current chunk
        self.done = False

    def _line(self, what: str, end_allowed: bool = False) -> bytes:
        try:
            line = self.source.readline(_MAX_LINE + 1)
        except TimeoutError:
            raise HTTPError(408, "The chunked request body did not arrive in time.") from None
        except OSError as error:
            raise HTTPError(400, f"The chunked request body could not be read: {error}.") from None
        if len(line) > _MAX_LINE:
            raise HTTPError(400, f"Malformed chunked body: a {what} line is longer than {_MAX_LINE} bytes.")
        if not line.endswith(b"\n") and not (end_allowed and not line):
            raise HTTPError(400, f"Malformed chunked body: it ended in a {what} line; send every chunk and the "
                                 "final '0' chunk.")
        return line

    def _next_chunk(self) -> None:
        line = self._line("chunk size")
        found = _CHUNK_SIZE.match(line)
        if found is None:
            shown = line[:40].decode("latin-1").strip()
            raise HTTPError(400, f"Malformed chunked body: chunk size line {shown!r} is not a hexadecimal size.")
        self.remaining = int(found.group(1), 16)
        if self.remaining == 0:
            self._skip_trailers()
            self.done = True

    def _skip_trailers(self) -> None:
        for _ in range(_MAX_TRAILERS):
            # The blank line after the last chunk may be missing at the very end, as Bottle allows.
            if self._line("trailer", end_allowed=True) in (b"\r\n", b"\n", b""):
                return
        raise HTTPError(400, f"Malformed chunked body: more than {_MAX_TRAILERS} trailer lines.")

    def _end_of_chunk(self) -> None:
        if self._line("chunk end") not in (b"\r\n", b"\n"):
            raise HTTPError(400, "Malformed chunked body: a chunk is longer than its size says.")

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` decoded bytes (all that is left when ``size`` is negative);
        ``b''`` at the end of the body."""
        parts: list[bytes] = []
        wanted = size if size >= 0 else None
        while not self.done and (wanted is None or wanted > 0):
            if self.remaining == 0:
                self._next_chunk()
                continue
            step = self.remaining if wanted is None else min(self.remaining, wanted)
            data = read_from(self.source, step)
            if not data:
                raise HTTPError(400, "Malformed chunked body: it ended inside a chunk.")
            parts.append(data)
            self.remaining -= len(data)
            if wanted is not None:
                wanted -= len(data)
            if self.remaining == 0:
                self._end_of_chunk()
        return b"".join(parts)


__all__ = ["ChunkedReader", "read_from", "wants_chunked_decoding"]


def content_length(environ: dict[str, Any]) -> int:
    """The ``Content-Length`` header as an int, ``-1`` when missing; a 400 when it is not ASCII digits."""
    text = environ.get("CONTENT_LENGTH", "")
    if not text:
        return -1
    if not (text.isascii() and text.isdigit()):  # isdigit alone accepts '²' and other Unicode digits
        raise HTTPError(400, f"Invalid Content-Length header {text!r}: it must be a non-negative integer.")
    return int(text)


def without_body(environ: dict[str, Any]) -> bool:
    """True when the request surely has no body: nothing to read, no limits to look up (*params*)."""
    if "HTTP_TRANSFER_ENCODING" in environ:
        return False
    length = environ.get("CONTENT_LENGTH")
    return length == "0" or (not length and not environ.get("wsgi.input_terminated"))


def copy_body(source: IO[bytes], length: int, max_body: int, memfile_max: int) -> IO[bytes]:
    """Read ``length`` bytes of ``source`` (to its end when ``length`` is ``max_body + 1``):
    in memory up to ``memfile_max`` bytes, else in a temporary file, rewound. A small body
    is one ``read`` kept as it came (*form*)."""
    chunks: list[bytes] = []
    spooled: IO[bytes] | None = None
    read = 0
    while read < length:
        chunk = read_from(source, min(length - read, 65536))
        if not chunk:
            break
        read += len(chunk)
        if read > max_body:
            raise HTTPError(413, f"Request body is over the limit of {max_body} bytes.")
        if spooled is None and read > memfile_max:
            from tempfile import TemporaryFile

            spooled = TemporaryFile(mode="w+b")
            spooled.write(b"".join(chunks))
        if spooled is None:
            chunks.append(chunk)
        else:
            spooled.write(chunk)
    if read < length and length != max_body + 1:
        raise HTTPError(400, f"Request body ended after {read} of {length} bytes (Content-Length).")
    if spooled is not None:
        spooled.seek(0)
        return spooled
    return BytesIO(chunks[0] if len(chunks) == 1 else b"".join(chunks))
