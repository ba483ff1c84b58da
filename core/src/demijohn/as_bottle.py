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


#: The Bottle release whose API (and own test suite) demijohn matches: ``bottle.__version__``
#: after :func:`install_as_bottle`, for plugins that check it.
BOTTLE_VERSION = "0.13.4"


class BottleModule(ModuleType):
    """The module ``bottle`` after :func:`install_as_bottle`: every attribute is demijohn's,
    read and written through (``bottle.request is demijohn.request``; ``bottle.DEBUG`` is
    live), except ``__version__``, which is :data:`BOTTLE_VERSION`."""

    def __init__(self, target: ModuleType) -> None:
        super().__init__("bottle", target.__doc__)
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "__version__", BOTTLE_VERSION)

    def __getattr__(self, name: str) -> object:
        return getattr(object.__getattribute__(self, "_target"), name)

    def __setattr__(self, name: str, value: object) -> None:
        setattr(object.__getattribute__(self, "_target"), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(object.__getattribute__(self, "_target"), name)

    def __dir__(self) -> list[str]:
        return dir(object.__getattribute__(self, "_target"))


class BottleAlreadyImportedError(BottleException, ImportError):
    """The real Bottle was imported before :func:`install_as_bottle`; modules holding it
    would keep it, so demijohn refuses to stand in half-way."""


def install_as_bottle() -> ModuleType:
    """Register demijohn as the module ``bottle`` (a :class:`BottleModule` over it, and
    ``demijohn.ext`` as ``bottle.ext``) and return that module. Calling it again is harmless. Raises
    :class:`BottleAlreadyImportedError` when another module named ``bottle`` (the real
    Bottle) is already imported: call it earlier, before anything imports ``bottle``."""
    import demijohn
    from demijohn import ext

    existing = sys.modules.get("bottle")
    if isinstance(existing, BottleModule):
        return existing
    if existing is not None:
        where = getattr(existing, "__file__", None) or repr(existing)
        raise BottleAlreadyImportedError(
            f"The real Bottle is already imported (from {where}), so demijohn cannot stand in for it: call "
            "demijohn.install_as_bottle() before anything imports bottle (first thing in your entry point), "
            "or run the app with `python -m demijohn --as-bottle pkg.module:app`.")
    bottle = sys.modules["bottle"] = BottleModule(demijohn)
    sys.modules["bottle.ext"] = ext
    _label_exceptions(demijohn)
    return bottle


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
    return isinstance(sys.modules.get("bottle"), BottleModule)


__all__ = ["BOTTLE_VERSION", "BottleAlreadyImportedError", "BottleModule", "install_as_bottle", "is_installed_as_bottle"]
