"""``demijohn.ext`` (and ``bottle.ext`` after :func:`demijohn.install_as_bottle`): imports
installed plugin packages under a short name, as Bottle's ``bottle.ext`` does.

``from demijohn.ext import sqlalchemy`` imports ``demijohn_sqlalchemy`` when it is
installed, else ``bottle_sqlalchemy``; ``import bottle.ext.redis`` finds ``bottle_redis``.
The module found is the plugin package itself (``demijohn.ext.x is demijohn_x``).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any, Sequence

#: The package name prefixes tried, in order, for ``ext.<name>``.
PREFIXES = ("demijohn_", "bottle_")

# A module with a __path__ is a package: ``import demijohn.ext.x`` then asks the finders
# on sys.meta_path for ``demijohn.ext.x``, and the one below answers.
__path__: list[str] = []


def _import_plugin(name: str) -> ModuleType | None:
    """Import ``demijohn_<name>`` or else ``bottle_<name>``; ``None`` when neither exists.
    An ImportError raised inside an existing package propagates (it is that package's bug)."""
    for prefix in PREFIXES:
        candidate = prefix + name
        try:
            return importlib.import_module(candidate)
        except ModuleNotFoundError as error:
            if error.name != candidate:
                raise
    return None


class _AliasLoader(importlib.abc.Loader):
    """Hands the already imported plugin package to the import system."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return self.module

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the plugin package was imported under its own name."""


class ExtFinder(importlib.abc.MetaPathFinder):
    """Finds ``<ext>.<name>`` for any module name under which this module is registered
    (``demijohn.ext``, and ``bottle.ext`` after :func:`demijohn.install_as_bottle`)."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: Any = None
                  ) -> importlib.machinery.ModuleSpec | None:
        """A spec for ``<ext>.<name>`` when a plugin package for ``name`` is installed."""
        parent, _, name = fullname.rpartition(".")
        if not parent or sys.modules.get(parent) is not sys.modules[__name__]:
            return None
        module = _import_plugin(name)
        if module is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module))


def __getattr__(name: str) -> ModuleType:
    """``demijohn.ext.sqlalchemy`` as an attribute imports the plugin, as ``import`` does."""
    if name.startswith("__"):
        raise AttributeError(name)
    module = _import_plugin(name)
    if module is None:
        raise AttributeError(f"No plugin package for demijohn.ext.{name}: install demijohn-{name} "
                             f"(import name demijohn_{name}) or bottle-{name} (bottle_{name}).")
    return module


if not any(isinstance(finder, ExtFinder) for finder in sys.meta_path):
    sys.meta_path.append(ExtFinder())
