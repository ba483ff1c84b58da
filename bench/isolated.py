"""A second copy of an installed package, imported from another folder under the same name.

The in-process benchmark times Falcon's compiled wheel and its pure-Python wheel side by
side, interleaved in one process, but both are the package `falcon`. The pure copy is
installed into its own folder (`bench/.venv/falcon-pure`, see `run.py`); this module
imports it there with the compiled copy's modules moved out of `sys.modules`, keeps its
modules apart, and swaps them back in around each use (`activate()`), so an import that
the pure copy makes at request time finds its own modules, never the compiled ones.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from types import ModuleType
from typing import Iterator


class IsolatedPackage:
    """Package `name` as found in `folder`, with its own set of modules."""

    def __init__(self, name: str, folder: str) -> None:
        self.name = name
        self.folder = folder
        self.modules: dict[str, ModuleType] = {}

    def _owned(self, module_name: str) -> bool:
        return module_name == self.name or module_name.startswith(self.name + ".")

    @contextlib.contextmanager
    def activate(self) -> Iterator[None]:
        """Put this copy's modules in `sys.modules` (saving the others) for the block."""
        saved = {key: module for key, module in sys.modules.items() if self._owned(key)}
        for key in saved:
            del sys.modules[key]
        sys.modules.update(self.modules)
        sys.path.insert(0, self.folder)
        try:
            yield
        finally:
            sys.path.remove(self.folder)
            for key in [key for key in sys.modules if self._owned(key)]:
                self.modules[key] = sys.modules.pop(key)
            sys.modules.update(saved)

    def load(self, module_name: str, path: str) -> ModuleType:
        """Execute the source file `path` as module `module_name` against this copy."""
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        with self.activate():
            __import__(self.name)
            found = sys.modules[self.name].__file__ or ""
            if not found.startswith(self.folder):
                raise ImportError(f"{self.name} came from {found}, not from {self.folder}")
            spec.loader.exec_module(module)
        return module
