"""Application resources: :class:`ResourceManager`, a list of folders searched in order for
files that belong to an app (templates, data, config), as ``app.resources``."""

from __future__ import annotations

import os
from typing import IO, Any, Callable

#: The cache modes: cache every look-up, only the ones that found a file, or none.
CACHE_MODES = ("all", "found", "none")


class ResourceManager:
    """Finds and opens files by name in a list of search folders (:attr:`path`).

    ``base`` makes relative folders absolute (default: the current directory), ``opener``
    opens what :meth:`open` finds (default: :func:`open`), ``cachemode`` says which
    look-ups are remembered: ``'all'``, ``'found'`` or ``'none'``::

        app.resources.add_path('./data/', base=__file__)   # next to this module
        with app.resources.open('countries.csv') as file:
            ...
    """

    def __init__(self, base: str = "./", opener: Callable[..., IO[Any]] = open, cachemode: str = "all") -> None:
        if cachemode not in CACHE_MODES:
            raise ValueError(f"cachemode must be one of {', '.join(CACHE_MODES)}, not {cachemode!r}.")
        self.opener = opener
        self.base = base
        self.cachemode = cachemode
        #: The search folders, absolute and ending with a separator, in search order.
        self.path: list[str] = []
        #: Remembered look-ups: name -> absolute file path (or ``None``).
        self.cache: dict[str, str | None] = {}

    def add_path(self, path: str, base: str | None = None, index: int | None = None, create: bool = False) -> bool:
        """Add a search folder and return whether it exists.

        A relative ``path`` is taken relative to ``base`` (default :attr:`base`); when
        ``base`` or ``path`` names a file (no trailing separator), its folder is used, so
        ``add_path('./static/', __file__)`` means "next to this module". The folder goes
        at position ``index`` (default: last); a folder already listed moves there.
        ``create=True`` makes a missing folder."""
        base = os.path.abspath(os.path.dirname(base or self.base))
        folder = os.path.abspath(os.path.join(base, os.path.dirname(path))) + os.sep
        if folder in self.path:
            self.path.remove(folder)
        if create and not os.path.isdir(folder):
            os.makedirs(folder)
        if index is None:
            self.path.append(folder)
        else:
            self.path.insert(index, folder)
        self.cache.clear()
        return os.path.exists(folder)

    def lookup(self, name: str) -> str | None:
        """The absolute path of the first file called ``name`` in the search folders
        (symlinks followed), or ``None``; remembered as :attr:`cachemode` says."""
        if name in self.cache and self.cachemode != "none":
            return self.cache[name]
        found = None
        for folder in self.path:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                found = candidate
                break
        if self.cachemode == "all" or (self.cachemode == "found" and found):
            self.cache[name] = found
        return found

    def open(self, name: str, mode: str = "r", *args: Any, **kwargs: Any) -> IO[Any]:
        """Open the file :meth:`lookup` finds for ``name``; ``OSError`` when there is none."""
        path = self.lookup(name)
        if path is None:
            raise OSError(f"Resource {name!r} not found in the search folders {self.path!r}; add its folder "
                          "with add_path().")
        return self.opener(path, mode, *args, **kwargs)


__all__ = ["ResourceManager"]
