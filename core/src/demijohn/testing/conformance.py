"""The plugin conformance kit: the api-2 plugin rules (docs/plugin-authors.md) as ordinary pytest tests.

Installing demijohn registers this module as a pytest plugin (entry point ``pytest11``).
A plugin author subclasses :class:`PluginConformance` in a test file::

    from demijohn.testing.conformance import PluginConformance

    class TestMyPlugin(PluginConformance):
        def make_plugin(self):
            return MyPlugin()

and ``pytest`` runs every rule against the plugin. The **MUST** rules are the contract
apps rely on: skip by instance/class/name/``True``, route-level ``apply``, ``apply`` cached
per route and run again after resets, ``setup``/``close`` life cycle, identity on routes
the plugin does not concern, answers raised by callbacks passing through, any position in
the chain, concurrent requests, mounted apps; breaking one fails its test. The **SHOULD**
rules (``api = 2``, a ``name``, ``functools.wraps``, refusing a rival) emit a
:class:`PluginConformanceWarning` instead, unless the class sets ``strict = True`` or pytest
runs with ``--conformance-strict``. Each report says what the plugin did, which rule that
breaks and the route's plugin chain (``route.explain()``).

Without a test file: ``python -m demijohn.testing.conformance 'package.module:Plugin()'``
runs the same tests and prints a table of the rules (``--help`` lists the options).

Importing this module has no side effects beyond importing demijohn itself: pytest loads
it at start-up wherever demijohn is installed, and only test classes that subclass
:class:`PluginConformance` run anything.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

import pytest

from ..errors import PluginError
from ._conformance_case import STRICT_OPTION
from ._conformance_requests import RequestChecks
from ._conformance_rules import PluginConformanceWarning, checks
from ._conformance_tools import Built, MarkerPlugin

__all__ = ["PluginConformance", "PluginConformanceWarning"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--conformance-strict``: broken SHOULD rules fail instead of warning."""
    parser.addoption("--conformance-strict", action="store_true", dest=STRICT_OPTION, default=False,
                     help="demijohn plugin conformance kit: fail on broken SHOULD rules instead of warning")


class PluginConformance(RequestChecks):
    """Base class of a plugin's conformance tests: subclass it as ``Test<Something>`` and
    define :meth:`make_plugin`. The other hooks have defaults that suit a plugin applying
    to every route with a ``GET`` request and no arguments; set ``strict = True`` to fail
    on broken SHOULD rules too."""

    __test__ = False  # the base itself is not a test class; its subclasses are

    # -- the plugin object ----------------------------------------------------------------------
    @checks("protocol")
    def test_plugin_is_a_decorator_or_has_an_apply_method(self) -> None:
        """The plugin is a decorator (a callable) or an object with apply(callback, route)."""
        plugin, _ = self.kit.new_plugin()
        if not callable(getattr(plugin, "apply", None)):
            self.kit.fail(f"{plugin!r} is not callable and has no apply(callback, route) method.", "protocol")

    @checks("api")
    def test_plugin_declares_api_2(self) -> None:
        """A plugin object with apply() declares api = 2."""
        plugin, spy = self.kit.new_plugin()
        if spy.is_decorator:
            pytest.skip("a plain decorator plugin has no apply() and declares no api")
        if getattr(plugin, "api", None) != 2:
            self.kit.fail(f"{self.kit.describe(plugin)} has api = {getattr(plugin, 'api', None)!r}.", "api")

    @checks("name")
    def test_plugin_has_a_name(self) -> None:
        """The plugin has a non-empty str name to skip and uninstall it by."""
        plugin, _ = self.kit.new_plugin()
        name = getattr(plugin, "name", None)
        if not isinstance(name, str) or not name.strip():
            self.kit.fail(f"{self.kit.describe(plugin)} has name = {name!r}.", "name")

    def _named_plugin(self, purpose: str) -> None:
        """Skip a by-name test for a plugin without a name (test_plugin_has_a_name reports it)."""
        plugin, _ = self.kit.new_plugin()
        if not getattr(plugin, "name", None):
            pytest.skip(f"the plugin has no name to {purpose} it by (test_plugin_has_a_name reports that)")

    def _plugin_with_a_class(self, purpose: str) -> None:
        """Skip a by-class test for a plain decorator plugin: it has no class of its own."""
        _, spy = self.kit.new_plugin()
        if spy.is_decorator:
            pytest.skip(f"a plain decorator plugin has no class of its own to {purpose} it by")

    @checks("concerned")
    def test_plugin_wraps_the_route_it_concerns(self) -> None:
        """The class's settings describe a route the plugin wraps (else the other tests prove nothing)."""
        self._require_wrapped(self.kit.build())

    # -- install, uninstall, close --------------------------------------------------------------
    @checks("setup")
    def test_install_calls_setup_once_per_install(self) -> None:
        """app.install() calls setup(app) once per install."""
        built = self.kit.build()
        assert built.spy is not None
        if not hasattr(built.plugin, "setup"):
            pytest.skip("the plugin has no setup(app): nothing to count")
        first = built.spy.setup_calls
        built.app.uninstall(built.plugin)
        built.app.install(built.plugin)
        if (first, built.spy.setup_calls) != (1, 2):
            self.kit.fail(f"setup() ran {first} time(s) on the first install and {built.spy.setup_calls} in all "
                          "after install, uninstall, install.", "setup", built)

    @checks("setup")
    def test_install_lists_the_plugin_once(self) -> None:
        """app.install() lists the plugin once in app.plugins."""
        built = self.kit.build()
        listed = sum(1 for plugin in built.app.plugins if plugin is built.plugin)
        if listed != 1:
            self.kit.fail(f"After app.install(plugin), app.plugins holds the plugin {listed} times "
                          "(did setup() add it itself?).", "setup", built)

    @checks("close")
    def test_uninstall_calls_close_once(self) -> None:
        """app.uninstall() calls close() once; a later app.close() does not call it again."""
        built = self.kit.build()
        assert built.spy is not None
        if not hasattr(built.plugin, "close"):
            pytest.skip("the plugin has no close(): nothing to count")
        self.kit.send(built.app)
        try:
            built.app.uninstall(built.plugin)
            built.app.close()
        except Exception as error:
            self.kit.fail(f"app.uninstall(plugin) raised {error!r} (from close()?).", "close", built)
        if built.spy.close_calls != 1:
            self.kit.fail(f"close() ran {built.spy.close_calls} time(s) for one app.uninstall(plugin) "
                          "followed by app.close().", "close", built)

    @checks("close")
    def test_app_close_calls_close_once(self) -> None:
        """app.close() calls close() once."""
        built = self.kit.build()
        assert built.spy is not None
        if not hasattr(built.plugin, "close"):
            pytest.skip("the plugin has no close(): nothing to count")
        try:
            built.app.close()
        except Exception as error:
            self.kit.fail(f"app.close() raised {error!r} from the plugin's close().", "close", built)
        if built.spy.close_calls != 1:
            self.kit.fail(f"close() ran {built.spy.close_calls} time(s) for one app.close().", "close", built)

    def _check_uninstall(self, how: str, target: Callable[[Any], Any]) -> None:
        built = self.kit.build()
        assert built.spy is not None
        self.kit.send(built.app)
        try:
            removed = built.app.uninstall(target(built.plugin))
        except Exception as error:
            self.kit.fail(f"app.uninstall(<{how}>) raised {error!r}.", "uninstall", built)
        if not any(plugin is built.plugin for plugin in removed) or built.plugin in built.app.plugins:
            self.kit.fail(f"app.uninstall(<{how}>) returned {removed!r} and left app.plugins = "
                          f"{built.app.plugins!r}.", "uninstall", built)
        applied = built.spy.apply_count(built.route)
        token = self.kit.token()
        answer = self.kit.send(built.app, token=token)
        expected = self.kit.send(self.kit.build(install=False).app, token=token)
        diffs = self.kit.compare(expected, answer)
        if built.spy.apply_count(built.route) != applied or diffs:
            self.kit.fail(f"After app.uninstall(<{how}>) the route still differs from an app without the plugin.",
                          "uninstall", built, diffs)

    @checks("uninstall")
    def test_uninstall_by_instance_removes_the_plugin(self) -> None:
        """app.uninstall(instance) removes the plugin from the app and its routes."""
        self._check_uninstall("the instance", lambda plugin: plugin)

    @checks("uninstall")
    def test_uninstall_by_class_removes_the_plugin(self) -> None:
        """app.uninstall(cls) removes the plugin from the app and its routes."""
        self._plugin_with_a_class("uninstall")
        self._check_uninstall("the class", type)

    @checks("uninstall")
    def test_uninstall_by_name_removes_the_plugin(self) -> None:
        """app.uninstall('name') removes the plugin from the app and its routes."""
        self._named_plugin("uninstall")
        self._check_uninstall("the name", lambda plugin: plugin.name)

    @checks("conflict")
    def test_second_instance_claiming_the_same_resource_is_refused(self) -> None:
        """A second plugin claiming the same unique resource is refused with PluginError."""
        rival = self.make_conflicting_plugin()
        if rival is None:
            pytest.skip("make_conflicting_plugin() returns None: the plugin claims no unique resource")
        rival = self.kit.adopt(rival)
        built = self.kit.build()
        try:
            built.app.install(rival)
        except PluginError:
            return
        self.kit.fail(f"Installing {self.kit.describe(rival)} next to {self.kit.describe(built.plugin)} was "
                      "accepted.", "conflict", built)

    # -- skip -----------------------------------------------------------------------------------
    def _check_skip(self, how: str, skip: Callable[[Any], Any]) -> None:
        built = self.kit.build(skip=skip)
        assert built.spy is not None
        token = self.kit.token()
        answer = self.kit.send(built.app, token=token)
        plain = self.kit.build(install=False, skip=lambda _: True if how == "skip=True" else None)
        diffs = self.kit.compare(self.kit.send(plain.app, token=token), answer)
        if built.spy.apply_count(built.route):
            diffs.insert(0, "apply() was called for the skipped route")
        if diffs:
            self.kit.fail(f"{self.kit.describe(built.plugin)} still acted on a route with {how}.", "skip", built,
                          diffs)

    @checks("skip")
    def test_skip_by_instance_leaves_the_route_unwrapped(self) -> None:
        """skip=[instance] leaves the plugin out of the route."""
        self._check_skip("skip=[instance]", lambda plugin: [plugin])

    @checks("skip")
    def test_skip_by_class_leaves_the_route_unwrapped(self) -> None:
        """skip=[cls] leaves the plugin out of the route."""
        self._plugin_with_a_class("skip")
        self._check_skip("skip=[class]", lambda plugin: [type(plugin)])

    @checks("skip")
    def test_skip_by_name_leaves_the_route_unwrapped(self) -> None:
        """skip=['name'] leaves the plugin out of the route."""
        self._named_plugin("skip")
        self._check_skip("skip=[name]", lambda plugin: [plugin.name])

    @checks("skip")
    def test_skip_true_leaves_the_route_unwrapped(self) -> None:
        """skip=True leaves the plugin out of the route."""
        self._check_skip("skip=True", lambda _: True)

    # -- route-level apply ----------------------------------------------------------------------
    @checks("route_apply")
    def test_route_level_apply_wraps_only_that_route(self) -> None:
        """apply=[plugin] on a route wraps that route and no other."""
        built = self.kit.build(install=False, route_level=True)
        assert built.spy is not None
        other, _ = self.kit.add_route(built.app, "/other")
        self.kit.send(built.app)
        self.kit.send(built.app, "/other")
        counts = built.spy.apply_count(built.route), built.spy.apply_count(other)
        if counts != (1, 0):
            self.kit.fail(f"With apply=[plugin] on one route, apply() ran {counts[0]} time(s) for it and "
                          f"{counts[1]} for a route without it.", "route_apply", built)

    @checks("route_apply")
    def test_route_level_apply_does_not_call_setup(self) -> None:
        """apply=[plugin] on a route never calls setup()."""
        built = self.kit.build(install=False, route_level=True)
        assert built.spy is not None
        self.kit.send(built.app)
        if built.spy.setup_calls:
            self.kit.fail(f"setup() ran {built.spy.setup_calls} time(s) for a plugin given only as "
                          "apply=[plugin] on a route.", "route_apply", built)

    @checks("route_apply")
    def test_route_level_apply_is_not_closed_by_app_close(self) -> None:
        """app.close() does not close a plugin given only as apply=[plugin]."""
        built = self.kit.build(install=False, route_level=True)
        assert built.spy is not None
        self.kit.send(built.app)
        built.app.close()
        if built.spy.close_calls:
            self.kit.fail(f"close() ran {built.spy.close_calls} time(s) on app.close() for a plugin given only "
                          "as apply=[plugin] on a route.", "route_apply", built)

    # -- apply() is cached ----------------------------------------------------------------------
    @checks("once")
    def test_apply_runs_once_per_route_over_many_requests(self) -> None:
        """apply() runs once per route, not per request."""
        built = self.kit.build()
        assert built.spy is not None
        for _ in range(10):
            self.kit.send(built.app)
        if built.spy.apply_count(built.route) != 1:
            self.kit.fail(f"apply() ran {built.spy.apply_count(built.route)} times for one route over 10 "
                          "requests.", "once", built)

    def _check_reapplied(self, event: str, change: Callable[[Built], object], neighbour: bool = False) -> None:
        built = self.kit.build(after=[MarkerPlugin()] if neighbour else [])
        assert built.spy is not None
        self.kit.send(built.app)
        change(built)
        self.kit.send(built.app)
        if built.spy.apply_count(built.route) != 2:
            self.kit.fail(f"apply() ran {built.spy.apply_count(built.route)} time(s) for the route over a request, "
                          f"{event}, and a second request (expected 2).", "again", built)

    @checks("again")
    def test_apply_runs_again_after_route_reset(self) -> None:
        """route.reset() makes apply() run again."""
        self._check_reapplied("route.reset()", lambda built: built.route.reset())

    @checks("again")
    def test_apply_runs_again_after_app_reset(self) -> None:
        """app.reset() makes apply() run again."""
        self._check_reapplied("app.reset()", lambda built: built.app.reset())

    @checks("again")
    def test_apply_runs_again_after_installing_another_plugin(self) -> None:
        """Installing another plugin makes apply() run again."""
        self._check_reapplied("installing another plugin", lambda built: built.app.install(MarkerPlugin()))

    @checks("again")
    def test_apply_runs_again_after_uninstalling_another_plugin(self) -> None:
        """Uninstalling another plugin makes apply() run again."""
        self._check_reapplied("uninstalling another plugin",
                              lambda built: built.app.uninstall(MarkerPlugin.name), neighbour=True)

    @checks("again")
    def test_new_chain_is_used_after_installing_another_plugin(self) -> None:
        """After a reset the plugin wraps the new chain, not a wrapper it kept."""
        marker = MarkerPlugin()
        built = self.kit.build()
        self.kit.send(built.app)
        built.app.install(marker)
        token = self.kit.token()
        self.kit.send(built.app, token=token)
        if token not in marker.tokens:
            self.kit.fail(f"After installing {marker.name!r}, a request through {self.kit.describe(built.plugin)} "
                          "did not reach it: the plugin returned a wrapper of the old chain.", "again", built)


if __name__ == "__main__":  # python -m demijohn.testing.conformance TARGET [options]
    from ._conformance_cli import main

    sys.exit(main())
