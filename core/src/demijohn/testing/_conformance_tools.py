"""The machinery behind :mod:`demijohn.testing.conformance`: a spy on a plugin's protocol
methods, the probe callback the kit routes to, a marker plugin, the comparison of two
responses, and the failure report. Private: authors use
:class:`demijohn.testing.conformance.PluginConformance`, whose module holds the tests.
"""

from __future__ import annotations

import functools
import inspect
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import pytest

from ..app import App
from ..context import request
from ..response import HTTPResponse
from ..route import Route
from .client import Client

#: The query parameter that makes every request the kit sends unique (and traceable).
TOKEN = "conformance_request"

#: The keys a conformance class's ``request`` dict may hold.
REQUEST_KEYS = frozenset({"method", "query", "headers", "json", "data"})

RULES = {
    "api": "A plugin object has apply(callback, route) and declares api = 2 (DESIGN §4).",
    "name": "A plugin has a non-empty str `name`, so users can skip=['name'] and uninstall('name') it (DESIGN §4).",
    "concerned": "The conformance class must describe a route the plugin wraps: make_callback(), route_config "
                 "and request are what the plugin needs to apply; otherwise the kit's other tests prove nothing.",
    "skip": "skip=[the instance], skip=[its class], skip=['its name'] and skip=True leave the plugin out of that "
            "route: its apply() is not called and the route answers exactly as in an app without the plugin "
            "(DESIGN §4.3).",
    "route_apply": "apply=[plugin] on one route wraps that route only, and never calls the plugin's setup() "
                   "or close(): those belong to app.install()/app.uninstall() (DESIGN §4.3).",
    "once": "apply() runs once per route and the wrapper it returns is cached in route.call; requests must not "
            "rebuild it (no route.reset() or RouteReset per request) (DESIGN §4.4).",
    "again": "After route.reset(), app.reset(), or installing/uninstalling another plugin, apply() runs again "
             "(once) and the new chain is used: a plugin must not hand back a wrapper it cached itself "
             "(DESIGN §4.4).",
    "setup": "app.install(plugin) calls plugin.setup(app) exactly once per install and lists the plugin once "
             "in app.plugins (DESIGN §4.1).",
    "close": "app.uninstall(plugin) and app.close() each call plugin.close() exactly once, with no arguments "
             "(DESIGN §4.2).",
    "uninstall": "app.uninstall(x) with x the instance, the class or the name removes the plugin, returns it and "
                 "leaves the routes answering as in an app without it (DESIGN §4.2).",
    "conflict": "Installing a second plugin that claims the same unique resource (keyword, route option, name) "
                "raises PluginError from setup(), saying which plugin clashes and how to fix it (DESIGN §4.1).",
    "identity": "A plugin that does not concern a route returns the callback itself from apply(), so the route "
                "pays nothing for it (DESIGN §4.4).",
    "passthrough": "An HTTPResponse or HTTPError raised by the callback passes through the plugin unchanged: the "
                   "same object, answering as in an app without the plugin.",
    "wraps": "The wrapper apply() returns keeps the callback's __name__ and __doc__ (functools.wraps), so "
             "introspection, URL building and error reports still name the real callback.",
    "order": "A plugin works in any position of the chain: it calls the `callback` apply() received (never "
             "route.callback), so the plugins inside it still run, once per request (DESIGN §4.3).",
    "threads": "Per-request state lives in the request (request.environ, locals, contextvars), never on the "
               "plugin object: concurrent requests through one plugin each get their own result.",
    "mount": "A plugin works in an app mounted below a prefix of another app (app.mount('/prefix', sub)): it "
             "answers as the same app does unmounted.",
}

#: Headers compared by count only: their values legitimately differ between two equal requests.
VOLATILE_HEADERS = frozenset({"date", "set-cookie", "etag", "last-modified", "expires", "age"})


class ProtocolSpy:
    """Wraps a plugin's ``setup``, ``apply`` and ``close`` on the instance to count the calls
    an app makes to them and remember what ``apply`` returned for each route."""

    def __init__(self, plugin: Any) -> None:
        self.plugin = plugin
        self.setup_calls = 0
        self.close_calls = 0
        self.applied: list[tuple[Any, Callable[..., Any], Callable[..., Any]]] = []
        self._lock = threading.Lock()
        for name in ("setup", "apply", "close"):
            original = getattr(plugin, name, None)
            if callable(original):
                try:
                    setattr(plugin, name, getattr(self, f"_spy_{name}")(original))
                except (AttributeError, TypeError) as error:
                    pytest.fail(f"The conformance kit watches {type(plugin).__name__}.{name}() by setting it on the "
                                f"instance, which failed ({error}). Give the plugin a __dict__ (no __slots__).",
                                pytrace=False)

    def _counting(self, original: Callable[..., Any], counter: str) -> Callable[..., Any]:
        @functools.wraps(original)
        def counted(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                setattr(self, counter, getattr(self, counter) + 1)
            return original(*args, **kwargs)
        return counted

    def _spy_setup(self, original: Callable[..., Any]) -> Callable[..., Any]:
        return self._counting(original, "setup_calls")

    def _spy_close(self, original: Callable[..., Any]) -> Callable[..., Any]:
        return self._counting(original, "close_calls")

    def _spy_apply(self, original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def apply(callback: Callable[..., Any], route: Any) -> Callable[..., Any]:
            result = original(callback, route)
            with self._lock:
                self.applied.append((route, callback, result))
            return result
        return apply

    def apply_count(self, route: Route) -> int:
        """How many times ``apply`` ran for ``route``."""
        return sum(1 for applied_route, _, _ in self.applied if applied_route is route)

    def last_apply(self, route: Route) -> tuple[Callable[..., Any], Callable[..., Any]] | None:
        """``(callback given, callback returned)`` of the last ``apply`` for ``route``."""
        for applied_route, given, returned in reversed(self.applied):
            if applied_route is route:
                return given, returned
        return None


class Probe:
    """The route callback of the kit: records each request's token, can raise an answer or
    wait at a barrier, then calls the author's callback. Arguments that callback requires
    and nobody passed (its plugin was left out) are given as ``None``."""

    def __init__(self, target: Callable[..., Any]) -> None:
        self.target = target
        self.tokens: list[str | None] = []
        self.answer: Callable[[], HTTPResponse] | None = None
        self.raised: list[HTTPResponse] = []
        self.barrier: threading.Barrier | None = None
        self.barrier_broken = False
        self._lock = threading.Lock()
        self._required = _required_arguments(target)
        self.callback = self._make_callback()

    def _make_callback(self) -> Callable[..., Any]:
        probe = self

        def conformance_callback(*args: Any, **kwargs: Any) -> Any:
            """The conformance kit's route callback: records the request, then calls make_callback()'s."""
            with probe._lock:
                probe.tokens.append(request.query.get(TOKEN))
            if probe.barrier is not None:
                try:
                    probe.barrier.wait()
                except threading.BrokenBarrierError:
                    probe.barrier_broken = True
            if probe.answer is not None:
                answer = probe.answer()
                probe.raised.append(answer)
                raise answer
            for name in probe._required:
                kwargs.setdefault(name, None)
            return probe.target(*args, **kwargs)

        # Plugins read the author's signature (route.get_callback_args() unwraps this).
        conformance_callback.__wrapped__ = self.target  # type: ignore[attr-defined]
        return conformance_callback


def _required_arguments(target: Callable[..., Any]) -> tuple[str, ...]:
    try:
        parameters = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):
        return ()
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return tuple(p.name for p in parameters if p.kind in kinds and p.default is inspect.Parameter.empty)


class MarkerPlugin:
    """A well-behaved neighbour plugin: wraps every route, records the token of each request
    it sees and every ``HTTPResponse`` that passes through it."""

    name = "conformance_marker"
    api = 2

    def __init__(self) -> None:
        self.tokens: list[str | None] = []
        self.answers: list[HTTPResponse] = []

    def apply(self, callback: Callable[..., Any], route: Route) -> Callable[..., Any]:
        """Wrap ``callback`` to record what passes through."""
        @functools.wraps(callback)
        def marked(*args: Any, **kwargs: Any) -> Any:
            self.tokens.append(request.query.get(TOKEN))
            try:
                return callback(*args, **kwargs)
            except HTTPResponse as answer:
                self.answers.append(answer)
                raise
        return marked


@dataclass(frozen=True)
class Answer:
    """What an app answered to one request, in a form two answers can be compared in."""

    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header_values(self, name: str) -> list[str]:
        """Every value of header ``name`` (case-insensitive), in order."""
        return [value for key, value in self.headers if key.lower() == name]

    def describe(self) -> str:
        """The answer as a short multi-line text for failure reports."""
        headers = "".join(f"\n      {key}: {value}" for key, value in self.headers)
        return f"{self.status}{headers}\n      body: {self.body[:300]!r}"


def differences(expected: Answer, actual: Answer, volatile: Iterable[str]) -> list[str]:
    """What differs between two answers: the status, each header (only the count of a
    volatile one) and the body. An empty list means they are equal."""
    volatile = {name.lower() for name in volatile}
    found = []
    if expected.status != actual.status:
        found.append(f"status {actual.status!r}, expected {expected.status!r}")
    names = sorted({key.lower() for key, _ in expected.headers + actual.headers})
    for name in names:
        want, got = expected.header_values(name), actual.header_values(name)
        if name in volatile:
            if len(want) != len(got):
                found.append(f"header {name}: sent {len(got)} time(s), expected {len(want)}")
        elif sorted(want) != sorted(got):
            found.append(f"header {name}: {got or 'missing'}, expected {want or 'absent'}")
    if expected.body != actual.body:
        found.append(f"body {actual.body[:200]!r}, expected {expected.body[:200]!r}")
    return found


@dataclass
class Built:
    """An app the kit built: the route under test, its probe, and the plugin (with its spy)."""

    app: App
    route: Route
    probe: Probe
    plugin: Any = None
    spy: ProtocolSpy | None = None


class Kit:
    """Builds apps, routes and requests from a conformance class's settings, and reports
    failures with the rule that was broken and the route's plugin chain."""

    def __init__(self, case: Any) -> None:
        self.case = case
        self._prefix = uuid.uuid4().hex[:8]
        self._count = 0
        self._plugins: list[ProtocolSpy] = []
        spec = dict(case.request)
        unknown = set(spec) - REQUEST_KEYS
        if unknown:
            pytest.fail(f"{type(case).__name__}.request has unknown key(s) {sorted(unknown)}; use "
                        f"{sorted(REQUEST_KEYS)}.", pytrace=False)
        self.method = str(spec.get("method", "GET")).upper()
        self.spec = spec

    # -- building -------------------------------------------------------------------------------
    def new_plugin(self) -> tuple[Any, ProtocolSpy]:
        """A fresh plugin from ``make_plugin()``, watched by a spy."""
        plugin = self.case.make_plugin()
        spy = ProtocolSpy(plugin)
        self._plugins.append(spy)
        return plugin, spy

    def adopt(self, plugin: Any) -> None:
        """Close ``plugin`` (made outside :meth:`new_plugin`) at the end of the test too."""
        self._plugins.append(ProtocolSpy(plugin))

    def build(self, install: bool = True, route_level: bool = False, skip: Callable[[Any], Any] | None = None,
              before: Iterable[Any] = (), after: Iterable[Any] = (), concerned: bool = True,
              path: str = "/probe") -> Built:
        """An app from ``make_app()`` with ``before`` plugins, the plugin (installed, or on
        the route only with ``route_level``), ``after`` plugins, and the route under test."""
        app = self.case.make_app()
        for plugin in before:
            app.install(plugin)
        plugin, spy = self.new_plugin() if install or route_level else (None, None)
        if install:
            app.install(plugin)
        for other in after:
            app.install(other)
        skiplist = skip(plugin) if skip else None
        route, probe = self.add_route(app, path, apply=[plugin] if route_level else None, skip=skiplist,
                                      concerned=concerned)
        return Built(app, route, probe, plugin, spy)

    def add_route(self, app: App, path: str, apply: Any = None, skip: Any = None,
                  concerned: bool = True) -> tuple[Route, Probe]:
        """Add the route under test (or the one the plugin does not concern) to ``app``."""
        case = self.case
        if concerned:
            probe, config = Probe(case.make_callback()), dict(case.route_config)
        else:
            probe, config = Probe(case.make_unconcerned_callback()), dict(case.unconcerned_route_config or {})
        app.route(path, method=self.method, callback=probe.callback, apply=apply, skip=skip, **config)
        return app.routes[-1], probe

    # -- requests -------------------------------------------------------------------------------
    def token(self) -> str:
        """A token no other request of this test run carries."""
        self._count += 1
        return f"{self._prefix}-{self._count}"

    def send(self, app: Any, path: str = "/probe", token: str | None = None) -> Answer:
        """Send the conformance class's ``request`` to ``path``, tagged with a unique token."""
        spec = self.spec
        query = {**dict(spec.get("query") or {}), TOKEN: token or self.token()}
        result = Client(app).request(self.method, path, query=query, json=spec.get("json"), data=spec.get("data"),
                                     headers=dict(spec.get("headers") or {}))
        return Answer(result.status, tuple(result.headerlist), result.body)

    def compare(self, expected: Answer, actual: Answer) -> list[str]:
        """:func:`differences` with the conformance class's volatile headers."""
        return differences(expected, actual, VOLATILE_HEADERS | set(self.case.volatile_headers))

    # -- reporting ------------------------------------------------------------------------------
    def describe(self, plugin: Any) -> str:
        """How failure reports name the plugin."""
        name = getattr(plugin, "name", None)
        return f"{type(plugin).__name__}" + (f" (name {name!r})" if name else "")

    def fail(self, problem: str, rule: str, built: Built | None = None, details: Iterable[str] = ()) -> None:
        """Fail the test: what the plugin did, the rule, the route's plugin chain, details."""
        lines = [problem, f"Rule: {RULES[rule]}"]
        if built is not None:
            lines.append(f"Plugin chain of {built.route.method} {built.route.rule!r} (route.explain(), "
                         "outermost first):")
            try:
                lines += [f"    {line}" for line in built.route.explain()]
            except Exception as error:  # the report must not hide the failure behind another one
                lines.append(f"    (route.explain() failed: {error!r})")
        details = list(details)
        if details:
            lines.append("What differed:")
            lines += [f"  - {detail}" for detail in details]
        pytest.fail("\n".join(lines), pytrace=False)

    def close(self) -> None:
        """Close the plugins the kit made that are not closed yet (teardown; errors ignored)."""
        for spy in self._plugins:
            if spy.close_calls == 0 and callable(getattr(spy.plugin, "close", None)):
                try:
                    spy.plugin.close()
                except Exception:  # noqa: S110 - a broken close() was already reported by its test
                    pass
