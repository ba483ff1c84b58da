"""``multipart/form-data`` parsing (RFC 7578) for ``request.POST``, ``request.forms`` and
``request.files``, and :class:`FileUpload`, the uploaded file.

Written by hand so the core keeps no required dependency. The parser streams: it reads
the (already spooled) body in blocks, holds at most one block plus a boundary in memory,
and writes each file part to memory up to ``request.multipart.memfile_limit`` bytes, to
a temporary file beyond. Limits, read from the app's config:

- ``request.max_body``: the whole body (413, checked while the body is read);
- ``request.max_memory``: all text fields together (413);
- ``request.multipart.max_parts``: number of parts (413);
- ``request.multipart.max_header_size``: the header block of one part (413);
- ``request.multipart.memfile_limit``: bytes of one file kept in memory before spooling.

A malformed body (no boundary, no opening delimiter, a header line without a colon, a
part cut short) is answered with 400 and a message saying what was wrong.
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import cached_property
from io import BytesIO
from tempfile import TemporaryFile
from dataclasses import dataclass
from typing import IO, Any, Callable, Iterator
from urllib.parse import unquote

from .datastructures import DecodedFormsDict, FormsDict, HeaderDict
from .errors import BottleException
from .response import HTTPError

MAX_PARTS = 1000
MAX_HEADER_SIZE = 8192
MAX_MEMORY = 1024 * 1024
MEMFILE_LIMIT = 102400
BLOCK_SIZE = 65536

# One ``; key=value`` parameter; the value is a quoted string (with \" escapes) or a token.
_PARAMETER = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:\\.|[^"\\])*"|[^;]*)')
_BOUNDARY = re.compile(r"^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$")
_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9\-_.\s]")
_DASHES = re.compile(r"[-\s]+")


@dataclass(frozen=True)
class MultipartLimits:
    """The limits one multipart body is parsed under (see the module docstring for each)."""

    max_parts: int = MAX_PARTS
    max_header_size: int = MAX_HEADER_SIZE
    max_memory: int = MAX_MEMORY
    memfile_limit: int = MEMFILE_LIMIT

    @classmethod
    def from_settings(cls, setting: Callable[[str, int], int], max_memory: int = MAX_MEMORY) -> MultipartLimits:
        """The limits from a ``setting(key, default)`` look-up (the app's config, say), for the
        keys ``request.multipart.max_parts``, ``...max_header_size``, ``...memfile_limit``
        and ``request.max_memory`` (``max_memory`` is that one's default)."""
        return cls(max_parts=setting("request.multipart.max_parts", MAX_PARTS),
                   max_header_size=setting("request.multipart.max_header_size", MAX_HEADER_SIZE),
                   max_memory=setting("request.max_memory", max_memory),
                   memfile_limit=setting("request.multipart.memfile_limit", MEMFILE_LIMIT))


class MultipartError(HTTPError):
    """A malformed ``multipart/form-data`` body or one over a limit: an :class:`HTTPError`
    (400, 413 or 415) whose message says what was wrong."""


class UploadExistsError(BottleException, FileExistsError):
    """:meth:`FileUpload.save` would overwrite an existing file; pass ``overwrite=True``."""


def parse_options_header(value: str) -> tuple[str, dict[str, str]]:
    """Split a header like ``form-data; name="a"; filename="b.txt"`` into its main value
    (lower case) and a dict of parameters (keys lower case, quotes removed). A parameter
    in RFC 5987 form (``filename*=UTF-8''%E2%82%AC.txt``) is decoded and wins over the
    plain one."""
    main, _, rest = value.partition(";")
    options: dict[str, str] = {}
    for key, raw in _PARAMETER.findall(";" + rest):
        key, raw = key.lower(), raw.strip()
        if raw[:1] == '"' and raw[-1:] == '"' and len(raw) >= 2:
            raw = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        if key.endswith("*"):
            charset, _, encoded = raw.partition("'")
            _, _, encoded = encoded.partition("'")
            try:
                options[key[:-1]] = unquote(encoded, encoding=charset or "utf-8", errors="strict")
            except (LookupError, UnicodeDecodeError):
                continue
        elif key not in options:
            options[key] = raw
    return main.strip().lower(), options


def _decode_line(line: bytes) -> str:
    """A part header line as UTF-8, or as latin-1 if it is not UTF-8."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("latin-1")


class FileUpload:
    """An uploaded file from a multipart form: ``request.files.avatar``.

    ``name`` is the form field, ``raw_filename`` the file name the client sent,
    :attr:`filename` a sanitised version safe to use on disk, ``file`` the content (a
    file object at position 0), ``headers`` the part's headers."""

    def __init__(self, fileobj: IO[bytes], name: str, filename: str, headers: Any = None) -> None:
        self.file = fileobj
        self.name = name
        self.raw_filename = filename
        self.headers = headers if isinstance(headers, HeaderDict) else HeaderDict(headers or {})

    @property
    def content_type(self) -> str:
        """The part's ``Content-Type`` (``''`` when the client sent none)."""
        return str(self.headers.get("Content-Type", ""))

    @property
    def content_length(self) -> int:
        """The part's ``Content-Length`` header, ``-1`` when absent (clients rarely send it)."""
        try:
            return int(self.headers.get("Content-Length", -1))
        except ValueError:
            return -1

    def get_header(self, name: str, default: Any = None) -> Any:
        """The value of the part header ``name``, or ``default``."""
        return self.headers.get(name, default)

    @cached_property
    def filename(self) -> str:
        """The client's file name made safe: accents folded to ASCII, any directory part
        dropped, only letters, digits, ``-``, ``_`` and ``.`` kept, runs of spaces and dashes
        turned into one ``-``, at most 255 characters; ``'empty'`` if nothing is left.

        >>> FileUpload(BytesIO(), 'f', '../../Über Datei (1).txt').filename
        'Uber-Datei-1.txt'
        """
        raw = self.raw_filename or ""
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", "replace")
        name = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
        name = os.path.basename(name.replace("\\", "/"))
        name = _UNSAFE_NAME_CHARS.sub("", name).strip()
        name = _DASHES.sub("-", name).strip(".-")
        return name[:255] or "empty"

    def save(self, destination: str | os.PathLike[str] | IO[bytes], overwrite: bool = False,
             chunk_size: int = BLOCK_SIZE) -> None:
        """Write the file to ``destination``: a folder (the file is named :attr:`filename`),
        a file path, or an open binary file. An existing file is not overwritten unless
        ``overwrite=True`` (:class:`UploadExistsError` otherwise)."""
        if isinstance(destination, (str, os.PathLike)):
            path = os.fspath(destination)
            if os.path.isdir(path):
                path = os.path.join(path, self.filename)
            if not overwrite and os.path.exists(path):
                raise UploadExistsError(f"Not saving upload {self.name!r}: {path!r} exists; "
                                        "pass overwrite=True to replace it or choose another name.")
            with open(path, "wb") as target:
                self._copy_to(target, chunk_size)
        else:
            self._copy_to(destination, chunk_size)

    def _copy_to(self, target: IO[bytes], chunk_size: int) -> None:
        position = self.file.tell()
        try:
            while True:
                chunk = self.file.read(chunk_size)
                if not chunk:
                    break
                target.write(chunk)
        finally:
            self.file.seek(position)

    def __repr__(self) -> str:
        return f"<FileUpload {self.name!r}: {self.raw_filename!r}>"


class MultipartPart:
    """One part of a multipart body, field or file, as :meth:`MultipartParser.parts` yields
    it: ``name``, ``filename`` (as the client sent it; ``None`` for a field), ``headers``,
    ``charset``, ``size`` and ``file`` (its content, at position 0)."""

    def __init__(self, headers: HeaderDict, name: str, filename: str | None, charset: str) -> None:
        self.headers, self.name, self.filename, self.charset = headers, name, filename, charset
        self.file: IO[bytes] = BytesIO()
        self.size = 0
        declared = headers.get("Content-Length")  # read once, not per block written (*multipart*)
        self._declared_size = int(declared) if declared is not None and declared.isascii() and declared.isdigit() else None

    @property
    def content_type(self) -> str | None:
        """The part's ``Content-Type`` header, ``None`` when it has none."""
        value: str | None = self.headers.get("Content-Type")
        return value

    @property
    def raw(self) -> bytes:
        """The content as bytes (read from the start, position kept)."""
        position = self.file.tell()
        self.file.seek(0)
        try:
            return self.file.read()
        finally:
            self.file.seek(position)

    @property
    def value(self) -> str:
        """The content as text in the part's charset; a 400 :class:`MultipartError` when it
        does not decode."""
        try:
            return self.raw.decode(self.charset)
        except (LookupError, UnicodeDecodeError):
            raise MultipartError(400, f"Multipart field {self.name!r} is not valid {self.charset}.") from None

    def is_buffered(self) -> bool:
        """Whether the content is held in memory (else it was spooled to a temporary file)."""
        return isinstance(self.file, BytesIO)

    def close(self) -> None:
        """Close the content's file (a spooled temporary file is deleted)."""
        self.file.close()


class MultipartParser:
    """Parses a ``multipart/form-data`` body from a binary stream into parts, one
    ``(name, str_or_FileUpload)`` pair at a time (see :meth:`parse`). Parts with a file
    name become :class:`FileUpload` objects; the others become strings."""

    def __init__(self, stream: IO[bytes], boundary: str, *, max_parts: int = MAX_PARTS,
                 max_header_size: int = MAX_HEADER_SIZE, max_memory: int = MAX_MEMORY,
                 memfile_limit: int = MEMFILE_LIMIT, block_size: int = BLOCK_SIZE, charset: str = "utf-8") -> None:
        self.stream, self.delimiter = stream, b"\r\n--" + boundary.encode("latin-1")
        self.max_parts, self.max_header_size, self.max_memory = max_parts, max_header_size, max_memory
        self.memfile_limit, self.block_size, self.charset = memfile_limit, block_size, charset
        self.buffer, self.eof = b"\r\n", False  # the leading CRLF makes the first delimiter like the others

    def _read(self) -> None:
        chunk = self.stream.read(self.block_size)
        if chunk:
            self.buffer += chunk
        else:
            self.eof = True

    def parse(self) -> Iterator[tuple[str, Any]]:
        """Yield ``(field name, value)`` pairs in body order: a string for a field, a
        :class:`FileUpload` for a file; raises a 400/413 ``HTTPError`` for a malformed body
        or one over a limit."""
        for part in self.parts():
            if part.filename:
                yield part.name, FileUpload(part.file, part.name, part.filename, part.headers)
            else:
                yield part.name, part.value

    def parts(self) -> Iterator[MultipartPart]:
        """Yield every part, field or file, as a :class:`MultipartPart` read to its end (its
        ``file`` at position 0), in body order."""
        self._skip_preamble()
        parts, field_bytes = 0, 0
        while self._next_part_follows():
            parts += 1
            if parts > self.max_parts:
                raise MultipartError(413, f"Multipart body has more than {self.max_parts} parts "
                                     "(request.multipart.max_parts).")
            part = self._read_headers()
            self._read_content(part, None if part.filename else self.max_memory - field_bytes)
            if not part.filename:
                field_bytes += part.size
            part.file.seek(0)
            yield part

    def _skip_preamble(self) -> None:
        delimiter = self.delimiter
        while True:
            found = self.buffer.find(delimiter)
            if found >= 0:
                self.buffer = self.buffer[found + len(delimiter):]
                return
            if self.eof:
                raise MultipartError(400, "Malformed multipart body: the boundary from the Content-Type header "
                                     "never appears in the body.")
            self.buffer = self.buffer[-len(delimiter):]
            self._read()

    def _next_part_follows(self) -> bool:
        """After a delimiter: ``--`` ends the body, CRLF starts a part (padding allowed)."""
        while True:
            rest = self.buffer = self.buffer.lstrip(b" \t")
            if len(rest) >= 2 or self.eof:
                break
            self._read()
        if rest.startswith(b"--"):
            return False
        if not rest.startswith(b"\r\n"):
            if self.eof:
                raise MultipartError(400, "Malformed multipart body: it ends without the closing boundary.")
            raise MultipartError(400, "Malformed multipart body: a boundary line must end with CRLF (or with '--' "
                                 "for the last one).")
        self.buffer = rest[2:]
        return True

    def _read_headers(self) -> MultipartPart:
        while True:
            if self.buffer.startswith(b"\r\n"):
                block, self.buffer = b"", self.buffer[2:]
                break
            end = self.buffer.find(b"\r\n\r\n")
            if 0 <= end <= self.max_header_size:
                block, self.buffer = self.buffer[:end], self.buffer[end + 4:]
                break
            if end > self.max_header_size or len(self.buffer) > self.max_header_size + 4:
                raise MultipartError(413, f"Multipart part headers are over {self.max_header_size} bytes "
                                     "(request.multipart.max_header_size).")
            if self.eof:
                raise MultipartError(400, "Malformed multipart body: it ends inside the headers of a part (the "
                                     "headers end with an empty line, and lines end with CRLF).")
            self._read()
        headers = HeaderDict()
        last = ""
        try:  # the whole block at once; line by line only when it is not UTF-8 (*multipart*)
            lines = block.decode("utf-8").split("\r\n")
        except UnicodeDecodeError:
            lines = [_decode_line(raw_line) for raw_line in block.split(b"\r\n")]
        for line in lines:
            if line[:1] in (" ", "\t") and last:  # an obsolete folded continuation line
                headers[last] = headers[last] + " " + line.strip()
                continue
            name, colon, value = line.partition(":")
            if not colon or not name.strip():
                raise MultipartError(400, f"Malformed multipart part header {line[:100]!r}: expected 'Name: value'.")
            last = name.strip()
            try:
                headers.append(last, value.strip())
            except ValueError:
                raise MultipartError(400, "Malformed multipart part header: it contains a bare line break or NUL byte; "
                                     "header lines end with CRLF.") from None
        return self._describe(headers)

    def _describe(self, headers: HeaderDict) -> MultipartPart:
        disposition, options = parse_options_header(headers.get("Content-Disposition", ""))
        if disposition not in ("form-data", "file"):  # "file": RFC 2388's form for files, which Bottle accepts
            raise MultipartError(400, "Malformed multipart part: each part needs 'Content-Disposition: form-data; "
                                 "name=\"...\"'.")
        if "name" not in options:
            raise MultipartError(400, "Malformed multipart part: its Content-Disposition has no name.")
        part_type = headers.get("Content-Type")
        if part_type and ";" in part_type:  # without parameters it names no charset (*multipart*)
            charset = parse_options_header(part_type)[1].get("charset", self.charset)
        else:
            charset = self.charset
        filename = options.get("filename")
        if filename and "\\" in filename:  # old Internet Explorer sends the whole Windows path: keep the name
            filename = filename[filename.rfind("\\") + 1:]
        return MultipartPart(headers, options["name"], filename, charset)

    def _read_content(self, part: MultipartPart, memory_left: int | None) -> None:
        """Copy the part's content up to the next delimiter; ``memory_left`` bounds a text field."""
        delimiter, keep = self.delimiter, len(self.delimiter) - 1
        while True:
            found = self.buffer.find(delimiter)
            if found >= 0:
                self._write(part, self.buffer[:found], memory_left)
                self.buffer = self.buffer[found + len(delimiter):]
                return
            if self.eof:
                raise MultipartError(400, f"Malformed multipart body: part {part.name!r} is cut short "
                                     "(no boundary after its content).")
            if len(self.buffer) > keep:  # the tail may hold the start of a delimiter
                self._write(part, self.buffer[:-keep], memory_left)
                self.buffer = self.buffer[-keep:]
            self._read()

    def _write(self, part: MultipartPart, data: bytes, memory_left: int | None) -> None:
        if not data:
            return
        part.size += len(data)
        declared = part._declared_size
        if declared is not None and part.size > declared:
            raise MultipartError(400, f"Malformed multipart body: part {part.name!r} is longer than its "
                                 f"Content-Length of {declared} bytes.")
        if memory_left is not None and part.size > memory_left:
            raise MultipartError(413, f"Multipart form fields are over the in-memory limit of {self.max_memory} "
                                 "bytes (request.max_memory); send large content as a file.")
        if memory_left is None and isinstance(part.file, BytesIO) and part.size > self.memfile_limit:
            spooled = TemporaryFile(mode="w+b")
            spooled.write(part.file.getbuffer())
            part.file = spooled
        part.file.write(data)


def parse_multipart(stream: IO[bytes], content_type: str, limits: MultipartLimits = MultipartLimits()) -> FormsDict:
    """Parse a ``multipart/form-data`` body read from ``stream`` (``content_type`` is the
    request's ``Content-Type``, holding the boundary) into a :class:`FormsDict` of strings
    (fields) and :class:`FileUpload` objects (files). ``request.POST`` calls it."""
    main, options = parse_options_header(content_type)  # not lower-cased: the boundary is case-sensitive
    if main != "multipart/form-data":
        raise MultipartError(415, f"Unsupported multipart type {main!r}: only multipart/form-data is parsed.")
    boundary = options.get("boundary", "")
    if not boundary:
        raise MultipartError(400, "Malformed multipart request: the Content-Type header has no boundary parameter.")
    if not _BOUNDARY.match(boundary):
        raise MultipartError(400, "Malformed multipart request: the boundary must be 1 to 70 letters, digits or "
                             "'()+_,-./:=? and not end with a space.")
    parser = MultipartParser(stream, boundary, max_parts=limits.max_parts, max_header_size=limits.max_header_size,
                             max_memory=limits.max_memory, memfile_limit=limits.memfile_limit)
    forms = DecodedFormsDict()
    for name, value in parser.parse():
        forms.append(name, value)
    return forms


__all__ = ["FileUpload", "MultipartError", "MultipartLimits", "MultipartParser", "MultipartPart", "UploadExistsError",
           "parse_multipart", "parse_options_header"]
