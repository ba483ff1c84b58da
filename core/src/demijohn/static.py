"""Serving files from disk: :func:`static_file`, with conditional requests (``ETag``,
``If-None-Match``, ``If-Modified-Since``), byte ranges and downloads.

The path is resolved with symlinks followed before it is compared with the root, so no
``..``, absolute path or symlink can reach a file outside the folder you chose.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import time
from typing import IO, Any, Iterator
from urllib.parse import quote

from .context import request
from .httputil import http_date, parse_date, parse_range_header
from .response import HTTPError, HTTPResponse

_BLOCK_SIZE = 65536
_CHARSET_TYPES = ("application/javascript", "application/json", "application/xml")


class _RangeReader:
    """Yields ``length`` bytes of ``file`` from ``offset`` in blocks and closes the file
    when the server closes the body (even if iteration never started)."""

    def __init__(self, file: IO[bytes], offset: int, length: int) -> None:
        self.file, self.offset, self.length = file, offset, length

    def __iter__(self) -> Iterator[bytes]:
        self.file.seek(self.offset)
        remaining = self.length
        while remaining > 0:
            chunk = self.file.read(min(_BLOCK_SIZE, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk

    def close(self) -> None:
        """Close the file."""
        self.file.close()


def _guess_type(name: str) -> str:
    mimetype, encoding = mimetypes.guess_type(name)
    if encoding == "gzip":
        return "application/gzip"
    if encoding:
        return f"application/x-{encoding}"
    # Unknown types are sent as opaque bytes, never as the default text/html.
    return mimetype or "application/octet-stream"


def _attachment(name: str) -> str:
    """``Content-Disposition`` for a download: quotes and control characters dropped; a
    name that is not ASCII is sent as RFC 6266 ``filename*`` with an ASCII fallback."""
    name = "".join(char for char in name if char >= " " and char not in '"\\\x7f')
    if name.isascii():
        return f'attachment; filename="{name}"'
    fallback = name.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _etag_matches(header: str, etag: str) -> bool:
    bare = etag.strip('"')
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate == "*" or candidate.strip('"') == bare:
            return True
    return False


def static_file(filename: str, root: str | os.PathLike[str], mimetype: str | bool = "auto",
                download: bool | str = False, charset: str | None = "UTF-8", etag: str | bool | None = None,
                headers: dict[str, str] | None = None) -> HTTPResponse:
    """Answer with the file ``filename`` below the folder ``root``: return the result from
    a callback, ``return static_file(path, root='./static')``.

    - ``mimetype``: ``'auto'`` (or ``True``) guesses it from the name; text types get
      ``; charset=<charset>``.
    - ``download``: ``True`` asks the browser to save the file under its own name; a string
      is the name to save it as.
    - ``etag``: ``None`` derives one from the file's identity, size and mtime; a string is
      used as is; ``False`` sends none.
    - ``headers``: extra headers for the response.

    The answer is 200 (206 for a ``Range`` request, 304 when the client's copy is current,
    no body for ``HEAD``), 404 for a missing file, 403 for a path outside ``root`` or a
    file that is not readable, 416 for a range outside the file."""
    headers = dict(headers) if headers else {}
    if "\0" in filename:
        return HTTPError(400, "The file name contains a NUL byte.")
    base = os.path.realpath(root)
    path = os.path.realpath(os.path.join(base, filename.strip("/\\")))
    if path != base and not path.startswith(base.rstrip(os.sep) + os.sep):
        return HTTPError(403, "Access denied: the path resolves outside the static folder.")
    if not os.path.isfile(path):
        return HTTPError(404, "File does not exist.")
    if not os.access(path, os.R_OK):
        return HTTPError(403, "You do not have permission to read this file.")

    if mimetype is True or mimetype == "auto":
        mimetype = _guess_type(download if isinstance(download, str) else path)
    if mimetype:
        if charset and "charset=" not in mimetype and (mimetype.startswith("text/") or mimetype in _CHARSET_TYPES):
            mimetype = f"{mimetype}; charset={charset}"
        headers["Content-Type"] = str(mimetype)
    if download:
        headers["Content-Disposition"] = _attachment(os.path.basename(path) if download is True else str(download))

    stats = os.stat(path)
    size = stats.st_size
    headers["Content-Length"] = str(size)
    headers["Last-Modified"] = http_date(stats.st_mtime)
    headers["Date"] = http_date(time.time())
    if etag is None:
        identity = f"{stats.st_dev}:{stats.st_ino}:{stats.st_mtime_ns}:{size}:{path}"
        etag = '"' + hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest() + '"'
    environ = request.environ
    if etag:
        headers["ETag"] = str(etag)
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and _etag_matches(if_none_match, str(etag)):
            return HTTPResponse(status=304, headers=headers)
    if_modified_since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if if_modified_since and "HTTP_IF_NONE_MATCH" not in environ:
        since = parse_date(if_modified_since.split(";")[0].strip())
        if since is not None and since >= int(stats.st_mtime):
            return HTTPResponse(status=304, headers=headers)

    headers["Accept-Ranges"] = "bytes"
    range_header = environ.get("HTTP_RANGE", "")
    if range_header.startswith("bytes=") and _range_applies(environ.get("HTTP_IF_RANGE"), etag, stats.st_mtime):
        ranges = list(parse_range_header(range_header, size))
        if not ranges:
            refusal = HTTPError(416, f"Requested range not satisfiable: {range_header!r} for a file of {size} bytes.")
            refusal.set_header("Content-Range", f"bytes */{size}")
            return refusal
        start, end = ranges[0]
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
        headers["Content-Length"] = str(end - start)
        if request.method == "HEAD":
            return HTTPResponse("", status=206, headers=headers)
        return HTTPResponse(_RangeReader(open(path, "rb"), start, end - start), status=206, headers=headers)
    if request.method == "HEAD":
        return HTTPResponse("", headers=headers)
    return HTTPResponse(open(path, "rb"), headers=headers)


def _range_applies(if_range: str | None, etag: Any, mtime: float) -> bool:
    """``If-Range``: serve the range only if the client's validator still matches."""
    if not if_range:
        return True
    if if_range.strip().startswith(('"', "W/")):
        return bool(etag) and if_range.strip() == str(etag)
    since = parse_date(if_range)
    return since is not None and since >= int(mtime)


__all__ = ["static_file"]
