"""Import objects from strings: ``load('pkg.mod:name')`` (``load_app``, which also pushes a
fresh default app, is in :mod:`demijohn.appstack`).

An expression after the colon (``'pkg.mod:make_app(debug=True)'``) is not handed to
``eval``: it is parsed with :mod:`ast` and only names (the module's globals and the
keywords given to :func:`load`; no builtins), attribute look-ups, calls, subscripts and
literals are evaluated, so a target string can build an app but cannot run statements.
"""

from __future__ import annotations

import ast
import importlib
from types import ModuleType
from typing import Any

from .errors import BottleException


class LoadError(BottleException, ImportError):
    """A ``'pkg.mod:name'`` target could not be loaded; the message says which part failed."""


def _import(module_name: str) -> ModuleType:
    """Import ``module_name``; a missing module *named by the target* becomes a LoadError
    (a missing module imported by the target's own code propagates unchanged)."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        missing = error.name or ""
        if missing and (module_name == missing or module_name.startswith(missing + ".")):
            raise LoadError(f"Cannot import {module_name!r}: no module named {missing!r}. Check the spelling, and "
                            "that its directory is on sys.path (run from the project's root).") from error
        raise


class _Evaluator(ast.NodeVisitor):
    """Evaluates names, attributes, calls, subscripts and literals; refuses anything else."""

    def __init__(self, target: str, namespace: dict[str, Any]) -> None:
        self.target, self.namespace = target, namespace

    def generic_visit(self, node: ast.AST) -> Any:
        raise LoadError(f"Cannot load {self.target!r}: {type(node).__name__} is not allowed in a target; "
                        "use names, attribute access, calls and literals only.")

    def visit_Expression(self, node: ast.Expression) -> Any:  # noqa: N802 - ast visitor API
        return self.visit(node.body)

    def visit_Constant(self, node: ast.Constant) -> Any:  # noqa: N802
        return node.value

    def visit_Name(self, node: ast.Name) -> Any:  # noqa: N802
        if node.id in self.namespace:
            return self.namespace[node.id]
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        raise LoadError(f"Cannot load {self.target!r}: the module has no attribute {node.id!r} "
                        "(builtins are not available in a target).")

    def visit_Attribute(self, node: ast.Attribute) -> Any:  # noqa: N802
        owner = self.visit(node.value)
        try:
            return getattr(owner, node.attr)
        except AttributeError:
            raise LoadError(f"Cannot load {self.target!r}: {owner!r} has no attribute {node.attr!r}.") from None

    def visit_Call(self, node: ast.Call) -> Any:  # noqa: N802
        func = self.visit(node.func)
        args = [self.visit(arg) for arg in node.args]
        if any(keyword.arg is None for keyword in node.keywords):
            raise LoadError(f"Cannot load {self.target!r}: '**' arguments are not allowed in a target.")
        kwargs = {keyword.arg: self.visit(keyword.value) for keyword in node.keywords if keyword.arg}
        return func(*args, **kwargs)

    def visit_Subscript(self, node: ast.Subscript) -> Any:  # noqa: N802
        return self.visit(node.value)[self.visit(node.slice)]

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:  # noqa: N802
        if isinstance(node.op, ast.USub):
            return -self.visit(node.operand)
        return self.generic_visit(node)

    def visit_List(self, node: ast.List) -> Any:  # noqa: N802
        return [self.visit(item) for item in node.elts]

    def visit_Tuple(self, node: ast.Tuple) -> Any:  # noqa: N802
        return tuple(self.visit(item) for item in node.elts)

    def visit_Dict(self, node: ast.Dict) -> Any:  # noqa: N802
        if any(key is None for key in node.keys):
            raise LoadError(f"Cannot load {self.target!r}: '**' in a dict is not allowed in a target.")
        return {self.visit(key): self.visit(value) for key, value in zip(node.keys, node.values, strict=True) if key}


def load(target: str, **namespace: Any) -> Any:
    """Import a module or an object from a string and return it.

    ``'pkg.mod'`` returns the module, ``'pkg.mod:name'`` (or ``'pkg.mod:obj.attr'``) an
    attribute, and ``'pkg.mod:make_app(debug)'`` the value of that expression, with the
    module's globals and the given keywords as names::

        app = load('myapp.web:create_app(config)', config={'debug': True})
    """
    if not isinstance(target, str) or not target.strip():
        raise LoadError(f"Cannot load {target!r}: give a string such as 'package.module' or 'package.module:name'.")
    module_name, _, expression = target.strip().partition(":")
    module = _import(module_name.strip())
    expression = expression.strip()
    if not expression:
        return module
    if expression.isidentifier():  # the common case needs no parsing
        if expression in namespace:
            return namespace[expression]
        try:
            return getattr(module, expression)
        except AttributeError:
            raise LoadError(f"Cannot load {target!r}: module {module_name!r} has no attribute {expression!r}.") \
                from None
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as error:
        raise LoadError(f"Cannot load {target!r}: {expression!r} is not a valid expression ({error.msg}).") from None
    return _Evaluator(target, {**vars(module), **namespace}).visit(tree)
