"""The plugin conformance kit (``demijohn.testing.conformance``) over the core's built-in
JSON and template plugins and every first-party plugin, each with its embedded backend (SQLite, signed
cookies, in-process cache): the kit checks the plugin protocol, not the backends.

Every class is strict: a first-party plugin keeps the SHOULD rules too (a broken one fails
here instead of warning). A plugin package that is not installed fails its class with the
reason under ``CI=true`` and skips it otherwise (``tox -e conformance`` installs them all).
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import Any, Callable, ClassVar

import pytest

from demijohn import App, JSONPlugin, TemplatePlugin
from demijohn.testing.conformance import PluginConformance

SECRET = "conformance-secret-3c8e1f5a9b2d"


def plugin_module(name: str) -> ModuleType:
    """Import a first-party plugin package; fail under CI=true, else skip, when it is missing."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        reason = f"{name} is not importable ({error}); install it: pip install -e plugins/{name.split('_', 1)[1]}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI=true: every first-party plugin must be checked)", pytrace=False)
        pytest.skip(reason)


class FirstPartyConformance(PluginConformance):
    """The kit in strict mode: SHOULD rules fail too."""

    __test__ = False
    strict = True


class TestJSONPluginConformance(FirstPartyConformance):
    def make_plugin(self) -> JSONPlugin:
        return JSONPlugin()

    def make_app(self) -> App:
        return App(autojson=False)

    def make_callback(self) -> Callable[..., Any]:
        return lambda: {"answer": 42}
    # no make_conflicting_plugin: a second JSON plugin shadows the first, as in Bottle


class TestTemplatePluginConformance(FirstPartyConformance):
    # The callback returns a str, which the template= wrapper passes through: the kit checks
    # the protocol without Jinja2 (an optional extra); core/tests cover the rendering.
    route_config: ClassVar[dict[str, Any]] = {"template": "conformance {{ greeting }}"}
    unconcerned_route_config: ClassVar[dict[str, Any] | None] = {}

    def make_plugin(self) -> TemplatePlugin:
        return TemplatePlugin()

    def make_app(self) -> App:
        app = App()
        app.uninstall(TemplatePlugin)  # every App() has one; the kit installs its own
        return app


class TestSQLAlchemyPluginConformance(FirstPartyConformance):
    unconcerned_route_config: ClassVar[dict[str, Any] | None] = {}

    def make_plugin(self) -> Any:
        return plugin_module("demijohn_sqlalchemy").SQLAlchemyPlugin("sqlite://")

    def make_callback(self) -> Callable[..., Any]:
        return lambda db: "ok" if db.is_active else "no session"

    def make_conflicting_plugin(self) -> Any:
        return self.make_plugin()


class TestSessionPluginConformance(FirstPartyConformance):
    unconcerned_route_config: ClassVar[dict[str, Any] | None] = {"session": False}

    def make_plugin(self) -> Any:
        session = plugin_module("demijohn_session")
        return session.SessionPlugin(session.CookieBackend(SECRET))

    def make_callback(self) -> Callable[..., Any]:
        def visit(session: Any) -> str:
            session["visits"] = session.get("visits", 0) + 1
            return f"visit {session['visits']}"
        return visit

    def make_conflicting_plugin(self) -> Any:
        return self.make_plugin()


class TestJSONSchemaPluginConformance(FirstPartyConformance):
    route_config: ClassVar[dict[str, Any]] = {"schema": {"type": "object", "required": ["a"]}}
    request: ClassVar[dict[str, Any]] = {"method": "POST", "json": {"a": 1}}
    unconcerned_route_config: ClassVar[dict[str, Any] | None] = {}

    def make_plugin(self) -> Any:
        return plugin_module("demijohn_jsonschema").JSONSchemaPlugin()

    def make_callback(self) -> Callable[..., Any]:
        return lambda body: {"got": body}

    def make_conflicting_plugin(self) -> Any:
        return self.make_plugin()


class TestCachePluginConformance(FirstPartyConformance):
    route_config: ClassVar[dict[str, Any]] = {"cache": True}
    unconcerned_route_config: ClassVar[dict[str, Any] | None] = {}

    def make_plugin(self) -> Any:
        return plugin_module("demijohn_cache").CachePlugin()

    def make_conflicting_plugin(self) -> Any:
        return self.make_plugin()


def test_missing_plugin_package_fails_its_class_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="demijohn_nonexistent is not importable .*CI=true"):
        plugin_module("demijohn_nonexistent")


def test_missing_plugin_package_skips_its_class_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="pip install -e plugins/nonexistent"):
        plugin_module("demijohn_nonexistent")
