"""The plugin conformance kit: the api-2 plugin rules (DESIGN §4) as ordinary pytest tests.

Installing demijohn registers this module as a pytest plugin (entry point ``pytest11``).
A plugin author subclasses :class:`PluginConformance` in a test file::

    from demijohn.testing.conformance import PluginConformance

    class TestMyPlugin(PluginConformance):
        def make_plugin(self):
            return MyPlugin()

and ``pytest`` runs every rule against the plugin: skip by instance/class/name/``True``,
route-level ``apply``, ``apply`` cached per route, ``setup``/``close`` life cycle, identity
on routes the plugin does not concern, answers raised by callbacks passing through,
name and doc kept, any position in the chain, concurrent requests, mounted apps. Each
failure says what the plugin did, which rule that breaks and the route's plugin chain
(``route.explain()``).

Importing this module has no side effects beyond importing demijohn itself: pytest loads
it at start-up wherever demijohn is installed, and only test classes that subclass
:class:`PluginConformance` run anything.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, ClassVar, Iterator

import pytest

from ..app import App
from ..errors import PluginError
from ..response import HTTPError, HTTPResponse
from ._conformance_tools import Answer, Built, Kit, MarkerPlugin

__all__ = ["PluginConformance"]


class PluginConformance:
    """Base class of a plugin's conformance tests: subclass it as ``Test<Something>`` and
    define :meth:`make_plugin`. The other hooks have defaults that suit a plugin applying
    to every route with a ``GET`` request and no arguments."""

    __test__ = False  # the base itself is not a test class; its subclasses are

    #: Extra ``route()`` keywords the route needs for the plugin to apply (``{'cache': True}``).
    route_config: ClassVar[dict[str, Any]] = {}
    #: How the kit calls the route: ``method``, ``query``, ``headers``, ``json``, ``data``.
    request: ClassVar[dict[str, Any]] = {"method": "GET"}
    #: Route keywords of a route the plugin leaves alone (with :meth:`make_unconcerned_callback`);
    #: ``None`` when the plugin applies to every route (the identity test is then skipped).
    unconcerned_route_config: ClassVar[dict[str, Any] | None] = None
    #: Headers whose values may differ between two equal requests (compared by count only),
    #: besides Date, Set-Cookie, ETag, Last-Modified, Expires and Age.
    volatile_headers: ClassVar[frozenset[str]] = frozenset()
    #: How many requests the concurrency test sends at once.
    concurrency: ClassVar[int] = 8

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__test__" not in cls.__dict__:
            cls.__test__ = True

    # -- what the author provides ---------------------------------------------------------------
    def make_plugin(self) -> Any:
        """Return a fresh plugin instance (required; called once or more per test)."""
        raise NotImplementedError(f"{type(self).__name__} must define make_plugin() returning a new plugin, "
                                  "for example `def make_plugin(self): return MyPlugin()`.")

    def make_callback(self) -> Callable[..., Any]:
        """Return a callback the plugin applies to (arguments the plugin injects included)."""
        return lambda: "conformance"

    def make_unconcerned_callback(self) -> Callable[..., Any]:
        """Return a callback for the route the plugin must leave alone (see
        :attr:`unconcerned_route_config`)."""
        return lambda: "unconcerned"

    def make_conflicting_plugin(self) -> Any:
        """Return a second plugin that claims the same unique resource as :meth:`make_plugin`'s
        (same keyword, say) so installing both must raise ``PluginError``; ``None`` if the
        plugin claims nothing unique."""
        return None

    def make_app(self) -> App:
        """Return a new app for one test (default ``App()``, with its JSON plugin)."""
        return App()

    # -- plumbing -------------------------------------------------------------------------------
    @pytest.fixture(autouse=True)
    def _demijohn_conformance_kit(self) -> Iterator[None]:
        self._kit = Kit(self)
        yield
        self._kit.close()

    @property
    def kit(self) -> Kit:
        """The kit's helpers for this test (built by an autouse fixture)."""
        return self._kit

    def _require_wrapped(self, built: Built) -> None:
        """Send one request and fail unless the plugin wrapped the route under test."""
        self.kit.send(built.app)
        assert built.spy is not None
        applied = built.spy.last_apply(built.route)
        if applied is None or applied[0] is applied[1]:
            self.kit.fail(f"{self.kit.describe(built.plugin)} did not wrap the route the kit built from "
                          f"make_callback() and route_config={self.route_config!r}.", "concerned", built)

    # -- the plugin object ----------------------------------------------------------------------
    def test_plugin_has_an_apply_method(self) -> None:
        """The plugin is an api-2 object with apply(callback, route)."""
        plugin, _ = self.kit.new_plugin()
        if not callable(getattr(plugin, "apply", None)):
            self.kit.fail(f"{plugin!r} has no apply(callback, route) method.", "api")

    def test_plugin_declares_api_2(self) -> None:
        """The plugin declares api = 2."""
        plugin, _ = self.kit.new_plugin()
        if getattr(plugin, "api", None) != 2:
            self.kit.fail(f"{self.kit.describe(plugin)} has api = {getattr(plugin, 'api', None)!r}.", "api")

    def test_plugin_has_a_name(self) -> None:
        """The plugin has a non-empty str name to skip and uninstall it by."""
        plugin, _ = self.kit.new_plugin()
        name = getattr(plugin, "name", None)
        if not isinstance(name, str) or not name.strip():
            self.kit.fail(f"{type(plugin).__name__} has name = {name!r}.", "name")

    def test_plugin_wraps_the_route_it_concerns(self) -> None:
        """The class's settings describe a route the plugin wraps (else the other tests prove nothing)."""
        self._require_wrapped(self.kit.build())

    # -- install, uninstall, close --------------------------------------------------------------
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

    def test_install_lists_the_plugin_once(self) -> None:
        """app.install() lists the plugin once in app.plugins."""
        built = self.kit.build()
        listed = sum(1 for plugin in built.app.plugins if plugin is built.plugin)
        if listed != 1:
            self.kit.fail(f"After app.install(plugin), app.plugins holds the plugin {listed} times "
                          "(did setup() add it itself?).", "setup", built)

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

    def test_uninstall_by_instance_removes_the_plugin(self) -> None:
        """app.uninstall(instance) removes the plugin from the app and its routes."""
        self._check_uninstall("the instance", lambda plugin: plugin)

    def test_uninstall_by_class_removes_the_plugin(self) -> None:
        """app.uninstall(cls) removes the plugin from the app and its routes."""
        self._check_uninstall("the class", type)

    def test_uninstall_by_name_removes_the_plugin(self) -> None:
        """app.uninstall('name') removes the plugin from the app and its routes."""
        plugin, _ = self.kit.new_plugin()
        if not getattr(plugin, "name", None):
            self.kit.fail(f"{type(plugin).__name__} has no name to uninstall it by.", "name")
        self._check_uninstall("the name", lambda plugin: plugin.name)

    def test_second_instance_claiming_the_same_resource_is_refused(self) -> None:
        """A second plugin claiming the same unique resource is refused with PluginError."""
        rival = self.make_conflicting_plugin()
        if rival is None:
            pytest.skip("make_conflicting_plugin() returns None: the plugin claims no unique resource")
        self.kit.adopt(rival)
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

    def test_skip_by_instance_leaves_the_route_unwrapped(self) -> None:
        """skip=[instance] leaves the plugin out of the route."""
        self._check_skip("skip=[instance]", lambda plugin: [plugin])

    def test_skip_by_class_leaves_the_route_unwrapped(self) -> None:
        """skip=[cls] leaves the plugin out of the route."""
        self._check_skip("skip=[class]", lambda plugin: [type(plugin)])

    def test_skip_by_name_leaves_the_route_unwrapped(self) -> None:
        """skip=['name'] leaves the plugin out of the route."""
        plugin, _ = self.kit.new_plugin()
        if not getattr(plugin, "name", None):
            self.kit.fail(f"{type(plugin).__name__} has no name to skip it by.", "name")
        self._check_skip("skip=[name]", lambda plugin: [plugin.name])

    def test_skip_true_leaves_the_route_unwrapped(self) -> None:
        """skip=True leaves the plugin out of the route."""
        self._check_skip("skip=True", lambda _: True)

    # -- route-level apply ----------------------------------------------------------------------
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

    def test_route_level_apply_does_not_call_setup(self) -> None:
        """apply=[plugin] on a route never calls setup()."""
        built = self.kit.build(install=False, route_level=True)
        assert built.spy is not None
        self.kit.send(built.app)
        if built.spy.setup_calls:
            self.kit.fail(f"setup() ran {built.spy.setup_calls} time(s) for a plugin given only as "
                          "apply=[plugin] on a route.", "route_apply", built)

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

    def test_apply_runs_again_after_route_reset(self) -> None:
        """route.reset() makes apply() run again."""
        self._check_reapplied("route.reset()", lambda built: built.route.reset())

    def test_apply_runs_again_after_app_reset(self) -> None:
        """app.reset() makes apply() run again."""
        self._check_reapplied("app.reset()", lambda built: built.app.reset())

    def test_apply_runs_again_after_installing_another_plugin(self) -> None:
        """Installing another plugin makes apply() run again."""
        self._check_reapplied("installing another plugin", lambda built: built.app.install(MarkerPlugin()))

    def test_apply_runs_again_after_uninstalling_another_plugin(self) -> None:
        """Uninstalling another plugin makes apply() run again."""
        self._check_reapplied("uninstalling another plugin",
                              lambda built: built.app.uninstall(MarkerPlugin.name), neighbour=True)

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

    # -- transparency ---------------------------------------------------------------------------
    def test_route_it_does_not_concern_keeps_the_callback_itself(self) -> None:
        """apply() returns the callback itself for a route the plugin does not concern."""
        if self.unconcerned_route_config is None:
            pytest.skip("unconcerned_route_config is None: the plugin applies to every route")
        built = self.kit.build(concerned=False)
        assert built.spy is not None
        token = self.kit.token()
        answer = self.kit.send(built.app, token=token)
        applied = built.spy.last_apply(built.route)
        if applied is None or applied[0] is not applied[1]:
            self.kit.fail(f"{self.kit.describe(built.plugin)} wrapped a route it does not concern "
                          f"(route config {self.unconcerned_route_config!r}).", "identity", built)
        plain = self.kit.build(install=False, concerned=False)
        diffs = self.kit.compare(self.kit.send(plain.app, token=token), answer)
        if diffs:
            self.kit.fail("A route the plugin does not concern answers differently than without the plugin.",
                          "identity", built, diffs)

    def _check_passthrough(self, kind: str, make_answer: Callable[[], Any]) -> None:
        witness = MarkerPlugin()
        built = self.kit.build(before=[witness])
        self._require_wrapped(built)
        built.probe.answer = make_answer
        token = self.kit.token()
        answer = self.kit.send(built.app, token=token)
        plain = self.kit.build(install=False, before=[MarkerPlugin()])
        plain.probe.answer = make_answer
        diffs = self.kit.compare(self.kit.send(plain.app, token=token), answer)
        raised = built.probe.raised[-1:]
        if not raised or not witness.answers or witness.answers[-1] is not raised[0]:
            seen = repr(witness.answers[-1]) if witness.answers else "nothing"
            diffs.insert(0, f"the plugin {witness.name!r} outside it saw {seen} instead of the {kind} the callback "
                            "raised")
        if diffs:
            self.kit.fail(f"{self.kit.describe(built.plugin)} changed an {kind} raised by the callback.",
                          "passthrough", built, diffs)

    def test_http_response_raised_by_the_callback_passes_through_unchanged(self) -> None:
        """An HTTPResponse raised by the callback passes through unchanged."""
        self._check_passthrough("HTTPResponse", lambda: HTTPResponse(
            "conformance answer", status=202, headers={"X-Conformance-Answer": "passed through"}))

    def test_http_error_raised_by_the_callback_passes_through_unchanged(self) -> None:
        """An HTTPError raised by the callback passes through unchanged."""
        self._check_passthrough("HTTPError", lambda: HTTPError(418, "conformance error"))

    def test_wrapper_keeps_the_callback_name_and_doc(self) -> None:
        """The wrapper keeps the callback's __name__ and __doc__."""
        built = self.kit.build()
        callback = built.route.callback
        wrapper = built.plugin.apply(callback, built.route)
        if wrapper is callback:
            return  # not wrapped at all: test_plugin_wraps_the_route_it_concerns reports that
        name, doc = getattr(wrapper, "__name__", None), getattr(wrapper, "__doc__", None)
        if (name, doc) != (callback.__name__, callback.__doc__):
            self.kit.fail(f"apply() returned a wrapper named {name!r} with doc {doc!r}.", "wraps", built,
                          [f"expected name {callback.__name__!r} and doc {callback.__doc__!r}"])

    # -- position in the chain ------------------------------------------------------------------
    def _check_position(self, position: str) -> None:
        marker = MarkerPlugin()
        neighbours: dict[str, Any] = {"after": [marker]} if position == "outermost" else {"before": [marker]}
        built = self.kit.build(**neighbours)
        token = self.kit.token()
        answer = self.kit.send(built.app, token=token)
        alone = self.kit.build()
        diffs = self.kit.compare(self.kit.send(alone.app, token=token), answer)
        if marker.tokens.count(token) != 1:
            diffs.insert(0, f"the {position.replace('most', '')}er plugin {marker.name!r} ran "
                            f"{marker.tokens.count(token)} time(s) for one request")
        if diffs:
            self.kit.fail(f"{self.kit.describe(built.plugin)} misbehaves as the {position} plugin.", "order",
                          built, diffs)

    def test_works_as_the_outermost_plugin(self) -> None:
        """The plugin works with another plugin inside it."""
        self._check_position("outermost")

    def test_works_as_the_innermost_plugin(self) -> None:
        """The plugin works with another plugin outside it."""
        self._check_position("innermost")

    # -- threads and mounting -------------------------------------------------------------------
    def test_concurrent_requests_each_get_their_own_result(self) -> None:
        """Concurrent requests through the plugin answer as they do one at a time."""
        built = self.kit.build()
        count = self.concurrency
        built.probe.barrier = threading.Barrier(count, timeout=5)
        tokens = [self.kit.token() for _ in range(count)]
        answers: dict[str, Answer | BaseException] = {}

        def send(token: str) -> None:
            try:
                answers[token] = self.kit.send(built.app, token=token)
            except BaseException as error:  # reported below, with the other threads' results
                answers[token] = error

        threads = [threading.Thread(target=send, args=(token,), daemon=True) for token in tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        if any(thread.is_alive() for thread in threads):
            self.kit.fail(f"{count} concurrent requests did not finish within 30 s (a deadlock?).", "threads", built)
        if built.probe.barrier_broken:
            self.kit.fail(f"{count} concurrent requests never were inside the callback at the same time: the plugin "
                          "serialises requests (a lock around the callback?) or answered some without it.",
                          "threads", built)
        alone = self.kit.build()
        problems = []
        if sorted(map(str, built.probe.tokens)) != sorted(tokens):
            problems.append(f"the callback saw the requests {sorted(map(str, built.probe.tokens))}, "
                            f"expected each of {sorted(tokens)} once")
        for token in tokens:
            result = answers[token]
            if isinstance(result, BaseException):
                problems.append(f"request {token} raised {result!r}")
                continue
            diffs = self.kit.compare(self.kit.send(alone.app, token=token), result)
            problems += [f"request {token}: {diff}" for diff in diffs]
        if problems:
            self.kit.fail(f"Concurrent requests through {self.kit.describe(built.plugin)} answered differently "
                          "than the same requests one at a time.", "threads", built, problems)

    def test_works_in_an_app_mounted_under_a_prefix(self) -> None:
        """The plugin answers the same in an app mounted below a prefix."""
        built = self.kit.build()
        parent = self.make_app()
        parent.mount("/mounted/", built.app)
        token = self.kit.token()
        answer = self.kit.send(parent, "/mounted/probe", token=token)
        alone = self.kit.build()
        diffs = self.kit.compare(self.kit.send(alone.app, token=token), answer)
        if built.probe.tokens.count(token) != alone.probe.tokens.count(token):
            diffs.insert(0, f"the callback ran {built.probe.tokens.count(token)} time(s) mounted and "
                            f"{alone.probe.tokens.count(token)} unmounted")
        if diffs:
            self.kit.fail(f"{self.kit.describe(built.plugin)} answers differently in an app mounted at /mounted.",
                          "mount", built, diffs)
