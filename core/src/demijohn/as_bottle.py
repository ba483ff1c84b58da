"""Standing in for Bottle: :func:`install_as_bottle` makes ``import bottle`` give demijohn,
so third-party packages written for Bottle run unchanged (the idiom of PyMySQL's
``install_as_MySQLdb()``).

Call it once, before anything imports ``bottle``::

    import demijohn
    demijohn.install_as_bottle()

    import bottle_sqlite          # its `import bottle` now gets demijohn

Without a code change: ``python -m demijohn --as-bottle pkg.mod:app`` does the same before
it loads the app.
"""

from __future__ import annotations

import sys
from types import ModuleType

from .errors import BottleException


class BottleAlreadyImportedError(BottleException, ImportError):
    """The real Bottle was imported before :func:`install_as_bottle`; modules holding it
    would keep it, so demijohn refuses to stand in half-way."""


def install_as_bottle() -> ModuleType:
    """Register demijohn as the module ``bottle`` (and ``demijohn.ext`` as ``bottle.ext``)
    and return it. Calling it again is harmless. Raises
    :class:`BottleAlreadyImportedError` when another module named ``bottle`` (the real
    Bottle) is already imported: call it earlier, before anything imports ``bottle``."""
    import demijohn
    from demijohn import ext

    existing = sys.modules.get("bottle")
    if existing is not None and existing is not demijohn:
        where = getattr(existing, "__file__", None) or repr(existing)
        raise BottleAlreadyImportedError(
            f"The real Bottle is already imported (from {where}), so demijohn cannot stand in for it: call "
            "demijohn.install_as_bottle() before anything imports bottle (first thing in your entry point), "
            "or run the app with `python -m demijohn --as-bottle pkg.module:app`.")
    sys.modules["bottle"] = demijohn
    sys.modules["bottle.ext"] = ext
    _label_exceptions(demijohn)
    return demijohn


def _label_exceptions(package: ModuleType) -> None:
    """Give the exported exception classes the module name ``bottle``, so tracebacks, logs
    and error trackers show ``bottle.HTTPError`` as they did under Bottle (and code that
    compares ``str(type(error))`` keeps working)."""
    for name in getattr(package, "__all__", ()):
        value = package.__dict__.get(name)
        if isinstance(value, type) and issubclass(value, BaseException) and value.__module__.startswith("demijohn"):
            value.__module__ = "bottle"


def is_installed_as_bottle() -> bool:
    """Whether ``import bottle`` currently gives demijohn."""
    import demijohn

    return sys.modules.get("bottle") is demijohn


__all__ = ["BottleAlreadyImportedError", "install_as_bottle", "is_installed_as_bottle"]
