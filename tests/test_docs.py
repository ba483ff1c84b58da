"""Every ```python sample of the documentation (docs/*.md and the README) runs, and its
asserts hold.

The samples of one page form one program, run top to bottom like a notebook: the test of
sample k runs samples 1..k in a fresh namespace, in a temporary working directory, with a
fresh default app pushed on the app stack. ``__name__`` is not ``"__main__"``, so samples
that start a server guard it with ``if __name__ == "__main__":`` and are run without
serving. Samples that can use Redis or PostgreSQL read the environment and fall back to the
embedded defaults (SQLite, cookie sessions, memory cache); the test unsets those variables,
so every run starts from empty embedded stores.

A page written as fragments of a larger program gets the missing pieces from
``PRELUDES`` below (its names, nothing else), so its samples still run as written.
"""

from __future__ import annotations

import linecache
import re
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import pytest

import demijohn
from demijohn.templates import clear_templates

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
NOTES_EXAMPLE = ROOT / "examples" / "notes"
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SESSION_SECRET", "NOTES_DATABASE_URL", "NOTES_REDIS_URL")
SAMPLE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def samples_of(page: Path) -> list[str]:
    """The ```python blocks of ``page``, in order."""
    return [textwrap.dedent(block) for block in SAMPLE.findall(page.read_text(encoding="utf-8"))]


def _plugin_authors_prelude(namespace: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """plugin-authors.md shows ``from my_plugin import MyPlugin`` and a test class using
    ``App`` and ``CachePlugin`` without importing them: stand in a real plugin for them."""
    from demijohn import App
    from demijohn.plugins import JSONPlugin
    from demijohn_cache import CachePlugin

    my_plugin = types.ModuleType("my_plugin")
    my_plugin.MyPlugin = JSONPlugin  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "my_plugin", my_plugin)
    namespace.update(App=App, CachePlugin=CachePlugin)


def _plugin_authors_check(namespace: dict[str, Any]) -> None:
    """Each conformance test class the page defines builds a plugin the kit can use."""
    from demijohn.testing.conformance import PluginConformance

    kits = [value for value in namespace.values()
            if isinstance(value, type) and issubclass(value, PluginConformance) and value is not PluginConformance]
    for kit in kits:
        plugin = kit().make_plugin()
        assert callable(getattr(plugin, "apply", None)), f"{kit.__name__}.make_plugin() gave {plugin!r}, no apply()"


PRELUDES = {"plugin-authors.md": _plugin_authors_prelude}
CHECKS = {"plugin-authors.md": _plugin_authors_check}

CASES = [pytest.param(page, index, id=f"{page.name}-{index + 1}")
         for page in PAGES for index in range(len(samples_of(page)))]


def test_the_docs_have_samples_to_run():
    pages_with_samples = {page.name for page in PAGES if samples_of(page)}
    assert {"tutorial.md", "plugins.md", "deployment.md", "migrating-from-bottle.md"} <= pages_with_samples


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A temporary working directory, a fresh default app and an empty template cache."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(NOTES_EXAMPLE))
    monkeypatch.setenv("NOTES_SCRYPT_N", "16")
    for name in SERVICE_VARIABLES:  # samples run on the embedded defaults, so each run starts empty
        monkeypatch.delenv(name, raising=False)
    demijohn.default_app.push()
    clear_templates()
    yield tmp_path
    clear_templates()
    demijohn.default_app.pop().close()


@pytest.mark.parametrize(("page", "index"), CASES)
def test_sample_runs(page: Path, index: int, sandbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType(f"docs_{page.stem.replace('-', '_')}")  # a real module: SQLAlchemy resolves
    monkeypatch.setitem(sys.modules, module.__name__, module)         # annotations through sys.modules
    namespace: dict[str, Any] = module.__dict__
    prelude = PRELUDES.get(page.name)
    if prelude:
        prelude(namespace, monkeypatch)
    try:
        for number, source in enumerate(samples_of(page)[: index + 1], start=1):
            filename = f"<{page.name}, sample {number}>"
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # for tracebacks
            exec(compile(source, filename, "exec"), namespace)
        check = CHECKS.get(page.name)
        if check:
            check(namespace)
    finally:
        for value in list(namespace.values()):
            if isinstance(value, demijohn.App) and value is not demijohn.default_app():
                value.close()  # release engines and connections the sample opened
