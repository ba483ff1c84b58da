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
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import pytest

from ..app import App
from ..context import request
from ..response import HTTPResponse
from ..route import Route
from ._conformance_rules import RULES, SHOULD, PluginConformanceWarning, ShouldNotMet
from .client import Client

#: The query parameter that makes every request the kit sends unique (and traceable).
TOKEN = "conformance_request"

#: The keys a conformance class's ``request`` dict may hold.
REQUEST_KEYS = frozenset({"method", "query", "headers", "json", "data"})

#: Headers compared by count only: their values legitimately differ between two equal requests.
VOLATILE_HEADERS = frozenset({"date", "set-cookie", "etag", "last-modified", "expires", "age"})


class DecoratorPlugin:
    """Stands in for a plugin that is a plain decorator (no ``apply``), so the kit sees which
    route each call is for: ``apply(callback, route)`` returns ``decorator(callback)``, which
    is what an app does with the decorator itself. Other attributes are the decorator's."""

    def __init__(self, decorator: Callable[..., Any]) -> None:
        self.decorator = decorator

    def apply(self, callback: Callable[..., Any], route: Route) -> Any:
        """Decorate ``callback`` as an app would."""
        return self.decorator(callback)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.decorator, name)

    def __repr__(self) -> str:
        return repr(self.decorator)


class ProtocolSpy:
    """Wraps a plugin's ``setup``, ``apply`` and ``close`` on the instance to count the calls
    an app makes to them and remember what ``apply`` returned for each route. A plain
    decorator plugin is watched through a :class:`DecoratorPlugin` (``spy.plugin``)."""

    def __init__(self, plugin: Any) -> None:
        self.is_decorator = callable(plugin) and not hasattr(plugin, "apply")
        if self.is_decorator:
            plugin = DecoratorPlugin(plugin)
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
            result: Callable[..., Any] = original(callback, route)
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

    def __init__(self, case: Any, strict: bool = False) -> None:
        self.case = case
        self.strict = strict
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
        spy = ProtocolSpy(self.case.make_plugin())
        self._plugins.append(spy)
        return spy.plugin, spy

    def adopt(self, plugin: Any) -> Any:
        """Close ``plugin`` (made outside :meth:`new_plugin`) at the end of the test too;
        returns what to install (a decorator plugin comes back wrapped, as :meth:`new_plugin` does)."""
        spy = ProtocolSpy(plugin)
        self._plugins.append(spy)
        return spy.plugin

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
        if isinstance(plugin, DecoratorPlugin):
            label = f"decorator {getattr(plugin.decorator, '__qualname__', type(plugin.decorator).__name__)}"
        else:
            label = type(plugin).__name__
        return label + (f" (name {name!r})" if name else "")

    def fail(self, problem: str, rule: str, built: Built | None = None, details: Iterable[str] = ()) -> None:
        """Report a broken rule: what the plugin did, the rule, the route's plugin chain and
        details. Fails the test for a MUST rule (or in strict mode); for a SHOULD rule, warns
        with :class:`PluginConformanceWarning` and ends the test as passed."""
        broken = RULES[rule]
        lines = [problem, f"Rule ({broken.level}, {broken.key}): {broken.text}"]
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
        if broken.level == SHOULD and not self.strict:
            warnings.warn(PluginConformanceWarning("\n".join(lines)), stacklevel=2)
            raise ShouldNotMet(rule)
        pytest.fail("\n".join(lines), pytrace=False)

    def close(self) -> None:
        """Close the plugins the kit made that are not closed yet (teardown; errors ignored)."""
        for spy in self._plugins:
            if spy.close_calls == 0 and callable(getattr(spy.plugin, "close", None)):
                try:
                    spy.plugin.close()
                except Exception:  # noqa: S110 - a broken close() was already reported by its test
                    pass
