"""The typed decorators at run time: core/tests/typecheck/sample_app.py (which mypy checks in
`tox -e types`) registers its routes, and every decorator form gives the function back unchanged."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

from demijohn import App, FormsDict, default_app
from demijohn.decorators import RouteVerb
from demijohn.testing import Client

TYPECHECK = Path(__file__).resolve().parent / "typecheck"


@pytest.fixture(scope="module")
def sample() -> tuple[ModuleType, App]:
    sys.path.insert(0, str(TYPECHECK))
    sys.modules.pop("sample_app", None)
    try:
        with App() as module_default:  # the sample's module-level @route lands here, not on the real default app
            return importlib.import_module("sample_app"), module_default
    finally:
        sys.path.remove(str(TYPECHECK))


def test_every_decorator_form_returns_the_function_itself(sample):
    module, _ = sample
    assert module.registered is module.listing and module.registered_by_keyword is module.listing
    assert module.show(3) == "note 3" and module.both() == b"both"
    assert module.app.error_handler[404] is module.not_found
    assert module.plugin in module.app.plugins
    assert isinstance(module.search_terms(), FormsDict)


def test_the_routes_of_each_form_are_registered(sample):
    module, module_default = sample
    client = Client(module.app)
    assert client.get("/notes/7").text == "note 7"
    assert client.get("/notes").text == "page 1"
    assert client.put("/notes").text == "page 1"
    assert client.post("/b").text == "both"
    assert client.get("/nowhere").text == "missing: 404 Not Found"
    assert Client(module_default).get("/module-level").status_code == 200
    assert default_app() is not module_default


def test_a_verb_is_route_with_its_method_filled_in():
    app = App()
    assert isinstance(App.__dict__["patch"], RouteVerb) and App.patch.__name__ == "patch"
    app.patch("/p", callback=lambda: "patched")
    app.get("/h", "HEAD", callback=lambda: "")  # the method may still be given, as in Bottle
    assert [(route.method, route.rule) for route in app.routes] == [("PATCH", "/p"), ("HEAD", "/h")]
    assert "PATCH" in App.patch.__doc__ and app.patch.__name__ == "patch"
