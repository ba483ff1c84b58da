"""The cache of compiled templates behind :func:`demijohn.template`: a dict that keeps the
most recently used templates, at most :attr:`TemplateCache.maxsize` of them.

Bounded because its keys can come from outside the code: a template source built with a
value from a request would otherwise add one compiled template per distinct value, for
ever. A lock keeps the order consistent when many threads render at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import BaseTemplate

#: How many compiled templates :data:`TEMPLATES` keeps by default.
DEFAULT_MAXSIZE = 512


class TemplateCache(OrderedDict[tuple[Any, ...], "BaseTemplate"]):
    """A least-recently-used cache of compiled templates; otherwise a plain dict
    (``clear()``, ``len()``, ``in``). Set :attr:`maxsize` to keep more or fewer."""

    def __init__(self, maxsize: int = DEFAULT_MAXSIZE) -> None:
        super().__init__()
        #: The most templates kept; the least recently used goes first.
        self.maxsize = maxsize
        self._lock = threading.Lock()

    def lookup(self, key: tuple[Any, ...]) -> BaseTemplate | None:
        """The template stored under ``key`` (now the most recently used), or ``None``."""
        template = self.get(key)  # one C call, atomic: no lock on the hot path (*jinja2*)
        if template is not None:
            try:
                self.move_to_end(key)
            except KeyError:  # another thread dropped it meanwhile: still ours to render
                pass
        return template

    def store(self, key: tuple[Any, ...], template: BaseTemplate) -> None:
        """Keep ``template`` under ``key``, dropping the least recently used beyond :attr:`maxsize`."""
        with self._lock:
            self[key] = template
            self.move_to_end(key)
            while len(self) > max(self.maxsize, 0):
                self.popitem(last=False)


__all__ = ["DEFAULT_MAXSIZE", "TemplateCache"]
