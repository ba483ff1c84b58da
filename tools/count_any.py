"""Count the public signatures of a package that take or return ``Any``, read from the source (AST).

    python tools/count_any.py [PACKAGE_DIR] [--list]

A signature is public when its function, its class and its module have no leading underscore
(``__init__`` and the other dunder methods of a public class count). It takes or returns ``Any``
when ``Any`` appears anywhere in a parameter's or the return annotation (``dict[str, Any]`` too).
The last line gives the count; ``--list`` names each signature. The decorator and plugin APIs
(``route``, ``get``, ..., ``hook``, ``error``, ``view``, ``install``, ``uninstall``, the plugin
protocol) are counted apart: they should have none.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent / "core" / "src" / "demijohn"
DECORATOR_AND_PLUGIN_APIS = {
    "app.App.route", "app.App.get", "app.App.post", "app.App.put", "app.App.delete", "app.App.patch",
    "app.App.hook", "app.App.error", "app.App.install", "app.App.uninstall", "app.App.add_hook",
    "templates.render.view", "plugins.Plugin.apply", "plugins.Plugin.setup", "plugins.Plugin.close",
}


def _mentions_any(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name) and node.id == "Any" or isinstance(node, ast.Attribute) and node.attr == "Any":
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a quoted annotation
            try:
                quoted = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                continue
            if _mentions_any(quoted):
                return True
    return False


def _takes_or_returns_any(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    arguments = function.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
    return _mentions_any(function.returns) or any(_mentions_any(arg.annotation) for arg in every if arg)


def _is_public(name: str) -> bool:
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def signatures(package: Path) -> dict[str, bool]:
    """Every public signature (``module.Class.name``) and whether it takes or returns ``Any``."""
    found: dict[str, bool] = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).with_suffix("").parts
        if any(part.startswith("_") and part != "__init__" for part in parts):
            continue
        module = ".".join(part for part in parts if part != "__init__")
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_public(node.name):
                found[f"{module}.{node.name}"] = _takes_or_returns_any(node)
            elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                for member in node.body:
                    if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_public(member.name):
                        found[f"{module}.{node.name}.{member.name}"] = _takes_or_returns_any(member)
    return found


def main(argv: list[str]) -> int:
    """The command line (see the module docstring)."""
    paths = [arg for arg in argv if not arg.startswith("--")]
    found = signatures(Path(paths[0]) if paths else DEFAULT)
    with_any = sorted(name for name, uses in found.items() if uses)
    if "--list" in argv:
        print("\n".join(with_any))
    api = sorted(name for name in with_any if name in DECORATOR_AND_PLUGIN_APIS)
    print(f"decorator and plugin APIs with Any: {len(api)}" + (f" ({', '.join(api)})" if api else ""))
    print(f"{len(with_any)} of {len(found)} public signatures take or return Any "
          f"({100 * len(with_any) / max(len(found), 1):.0f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
