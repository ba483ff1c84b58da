"""Response bodies as the server iterates them: files read in blocks, and streamed
generators that keep their request's context bound while each chunk is made."""

from __future__ import annotations

from typing import Any, Iterator

from .context import current
from .response import BaseResponse


def close_body(body: object) -> None:
    """Call ``body.close()`` if the body has one (PEP 3333 requires it)."""
    close = getattr(body, "close", None)
    if close is not None:
        close()


class FileIterator:
    """Reads a file in blocks for servers without ``wsgi.file_wrapper``."""

    def __init__(self, file: Any, block_size: int = 65536) -> None:
        self.file, self.block_size = file, block_size
        self.close = getattr(file, "close", lambda: None)

    def __iter__(self) -> Iterator[bytes]:
        read, size = self.file.read, self.block_size
        while True:
            chunk = read(size)
            if not chunk:
                return
            yield chunk


class ContextIterator:
    """Streams a generator body with its request's context bound while each chunk is made,
    so ``request`` and ``response`` still work inside a generator callback."""

    def __init__(self, chunks: Iterator[bytes], source: Any, context: tuple[dict[str, Any], BaseResponse]) -> None:
        self.chunks, self.source, self.context = chunks, source, context

    def __iter__(self) -> ContextIterator:
        return self

    def __next__(self) -> bytes:
        token = current.set(self.context)
        try:
            return next(self.chunks)
        finally:
            current.reset(token)

    def close(self) -> None:
        close_body(self.source)
