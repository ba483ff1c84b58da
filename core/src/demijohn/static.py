"""Serving files from disk: :func:`static_file`, with conditional requests (``ETag``,
``If-None-Match``, ``If-Modified-Since``), byte ranges and downloads.

The path is resolved with symlinks followed before it is compared with the root, so no
``..``, absolute path or symlink can reach a file outside the folder you chose.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import stat
import time
from functools import lru_cache
from typing import IO, Any, Iterator
from urllib.parse import quote

from .context import request
from .headercheck import header_value
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


@lru_cache(maxsize=256)
def _type_of_extension(extension: str) -> str:
    """The type of a file name ending in ``extension`` (``'.css'``): the same for every file
    of that extension, so guessed once per extension (*static*)."""
    mimetype, encoding = mimetypes.guess_type("file" + extension)
    if encoding == "gzip":
        return "application/gzip"
    if encoding:
        return f"application/x-{encoding}"
    # Unknown types are sent as opaque bytes, never as the default text/html.
    return mimetype or "application/octet-stream"


def _guess_type(name: str) -> str:
    return _type_of_extension(os.path.splitext(name)[1])


@lru_cache(maxsize=512)
def _last_modified(mtime: int) -> str:
    return http_date(mtime)


_now: list[Any] = [None, ""]  # the second of the last Date header sent, and its text


def _date_now() -> str:
    second = int(time.time())
    if _now[0] != second:
        _now[:] = [second, http_date(second)]
    return str(_now[1])


@lru_cache(maxsize=1024)
def _default_etag(device: int, inode: int, mtime_ns: int, size: int, path: str) -> str:
    identity = f"{device}:{inode}:{mtime_ns}:{size}:{path}"
    return '"' + hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest() + '"'


_roots: dict[str, tuple[str, int, int]] = {}  # root as given -> its real path, device and inode


def _real_root(root: str) -> str:
    """``os.path.realpath(root)``, resolved again only when ``root`` now names another
    directory (a deploy switched a symlink): one ``stat`` instead of a ``lstat`` per
    component (*static*)."""
    try:
        stats = os.stat(root)
    except OSError:
        return os.path.realpath(root)
    known = _roots.get(root)
    if known is not None and known[1:] == (stats.st_dev, stats.st_ino):
        return known[0]
    base = os.path.realpath(root)
    if len(_roots) < 256:
        _roots[root] = (base, stats.st_dev, stats.st_ino)
    return base


def _resolve(base: str, name: str) -> tuple[str, os.stat_result | None]:
    """The real path of ``name`` below the real folder ``base``, and its ``stat`` when the
    walk already has it. Plain names are walked with one ``lstat`` per component; a symlink,
    ``.`` or ``..`` on the way falls back to ``os.path.realpath`` (symlinks followed, then
    checked against the root by the caller)."""
    parts = name.split("/")
    if os.sep == "/" and "" not in parts and "." not in parts and ".." not in parts:
        path, stats = base.rstrip("/"), None
        try:
            for part in parts:
                path += "/" + part
                stats = os.lstat(path)
                if stat.S_ISLNK(stats.st_mode):
                    break
            else:
                return path, stats
        except OSError:
            pass  # missing (a 404 below), or not a folder on the way
    return os.path.realpath(os.path.join(base, name)), None


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
    if "\0" in filename:
        return HTTPError(400, "The file name contains a NUL byte.")
    found = _locate(filename, os.fspath(root))
    if isinstance(found, HTTPError):
        return found
    path, stats = found
    extra = headers
    headers = {}
    if etag is None:
        etag = _default_etag(stats.st_dev, stats.st_ino, stats.st_mtime_ns, stats.st_size, path)
    elif etag:
        etag = header_value(str(etag))
    environ = request.environ
    if etag:
        headers["Etag"] = etag
    headers["Last-Modified"] = _last_modified(int(stats.st_mtime))
    headers["Date"] = _date_now()
    if download:
        headers["Content-Disposition"] = _attachment(os.path.basename(path) if download is True else str(download))
    if _not_modified(environ, etag, stats.st_mtime):  # before the type and the ranges: a 304 sends neither
        return _answer("", 304, headers, extra)
    if mimetype is True or mimetype == "auto":
        mimetype = _guess_type(download if isinstance(download, str) else path)
    if mimetype:
        if charset and "charset=" not in mimetype and (mimetype.startswith("text/") or mimetype in _CHARSET_TYPES):
            mimetype = f"{mimetype}; charset={charset}"
        headers["Content-Type"] = header_value(str(mimetype))
    headers["Content-Length"] = str(stats.st_size)
    headers["Accept-Ranges"] = "bytes"
    return _body_answer(environ, path, stats, etag, headers, extra)


def _locate(filename: str, root: str) -> tuple[str, os.stat_result] | HTTPError:
    """The real path and ``stat`` of ``filename`` below ``root``, or the 403/404 to answer."""
    base = _real_root(root)
    path, stats = _resolve(base, filename.strip("/\\"))
    if path != base and not path.startswith(base.rstrip(os.sep) + os.sep):
        return HTTPError(403, "Access denied: the path resolves outside the static folder.")
    try:
        stats = stats or os.stat(path)
    except OSError:
        return HTTPError(404, "File does not exist.")
    if not stat.S_ISREG(stats.st_mode):
        return HTTPError(404, "File does not exist.")
    if not os.access(path, os.R_OK):
        return HTTPError(403, "You do not have permission to read this file.")
    return path, stats


def _not_modified(environ: dict[str, Any], etag: Any, mtime: float) -> bool:
    """Whether the client's copy is current: ``If-None-Match``, else ``If-Modified-Since``."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        return bool(etag and if_none_match and _etag_matches(if_none_match, str(etag)))
    if_modified_since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if if_modified_since:
        since = parse_date(if_modified_since.split(";")[0].strip())
        return since is not None and since >= int(mtime)
    return False


def _answer(body: Any, status: int, headers: dict[str, str], extra: dict[str, str] | None) -> HTTPResponse:
    """The response: ``extra`` (the caller's headers) checked one by one; ours, already in
    the stored form and checked where they come from the caller, set straight (*static*)."""
    answer = HTTPResponse(body, status=status, headers=extra)
    answer._headers.update({name: [value] for name, value in headers.items()})
    return answer


def _body_answer(environ: dict[str, Any], path: str, stats: os.stat_result, etag: Any, headers: dict[str, str],
                 extra: dict[str, str] | None) -> HTTPResponse:
    """The 200 with the file, or the 206 with the range asked for (416 when it is outside the file)."""
    head = environ.get("REQUEST_METHOD", "GET").upper() == "HEAD"
    range_header = environ.get("HTTP_RANGE", "")
    size = stats.st_size
    if range_header.startswith("bytes=") and _range_applies(environ.get("HTTP_IF_RANGE"), etag, stats.st_mtime):
        ranges = list(parse_range_header(range_header, size))
        if not ranges:
            refusal = HTTPError(416, f"Requested range not satisfiable: {range_header!r} for a file of {size} bytes.")
            refusal.set_header("Content-Range", f"bytes */{size}")
            return refusal
        start, end = ranges[0]
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
        headers["Content-Length"] = str(end - start)
        body = "" if head else _RangeReader(open(path, "rb"), start, end - start)
        return _answer(body, 206, headers, extra)
    return _answer("" if head else open(path, "rb"), 200, headers, extra)


def _range_applies(if_range: str | None, etag: Any, mtime: float) -> bool:
    """``If-Range``: serve the range only if the client's validator still matches."""
    if not if_range:
        return True
    if if_range.strip().startswith(('"', "W/")):
        return bool(etag) and if_range.strip() == str(etag)
    since = parse_date(if_range)
    return since is not None and since >= int(mtime)


__all__ = ["static_file"]
