"""Deliberately broken plugins, each breaking one api-2 rule, for the conformance kit's own
tests: running the kit over one must fail exactly the kit tests named in its ``breaks``
(the tests of the MUST rule it breaks) and ``also_fails`` (tests that trip over the same
fault), and warn in exactly the tests named in its ``warns`` (a SHOULD rule it breaks; those
fail too in strict mode). ``skips`` names the tests that do not apply to it.

``WellBehavedPlugin`` is the control: it follows every rule and passes the whole kit. Each
broken plugin is a subclass that changes one thing, so a failure can only come from that.
``stopwatch`` and ``ResourcePlugin`` are written the way Bottle's plugin guide describes
plugins (a bare decorator; a class with ``name``, ``api = 2``, ``setup`` and ``apply``, no
``functools.wraps``): they keep every MUST rule and only warn.
"""

from __future__ import annotations

import functools
import inspect
import time
from typing import Any, Callable, ClassVar

from demijohn import HTTPError, PluginError, request, response
from demijohn.testing.conformance import PluginConformance


class WellBehavedPlugin:
    """Adds ``X-Greeting: hello`` to the answers of routes declared with ``greet=True``."""

    name = "greeting"
    api = 2
    keyword = "greet"
    breaks: ClassVar[frozenset[str]] = frozenset()
    also_fails: ClassVar[frozenset[str]] = frozenset()
    warns: ClassVar[frozenset[str]] = frozenset()
    skips: ClassVar[frozenset[str]] = frozenset()

    def __init__(self) -> None:
        self.installed = False

    def setup(self, app: Any) -> None:
        """Refuse a second plugin claiming the ``greet`` route keyword."""
        for other in app.plugins:
            if other is not self and getattr(other, "keyword", None) == self.keyword:
                raise PluginError(f"{other!r} already reads the route keyword {self.keyword!r}.", self)
        self.installed = True

    def apply(self, callback: Callable[..., Any], route: Any) -> Callable[..., Any]:
        """Wrap routes with ``greet=True``; return any other callback unchanged."""
        if not route.config.get(self.keyword):
            return callback
        return functools.wraps(callback)(self.wrap(callback, route))

    def wrap(self, callback: Callable[..., Any], route: Any) -> Callable[..., Any]:
        """The per-request wrapper (broken plugins override this)."""
        def greeting(*args: Any, **kwargs: Any) -> Any:
            result = callback(*args, **kwargs)
            response.set_header("X-Greeting", "hello")
            return result
        return greeting

    def close(self) -> None:
        """Forget the app."""
        self.installed = False


class IgnoresSkipPlugin(WellBehavedPlugin):
    """Greets from an ``after_request`` hook, so ``skip=`` cannot leave it out."""

    breaks = frozenset({"test_skip_by_instance_leaves_the_route_unwrapped",
                        "test_skip_by_class_leaves_the_route_unwrapped",
                        "test_skip_by_name_leaves_the_route_unwrapped",
                        "test_skip_true_leaves_the_route_unwrapped"})
    # The hook stays after uninstall and also stamps routes it does not concern and raised answers.
    also_fails = frozenset({"test_uninstall_by_instance_removes_the_plugin", "test_uninstall_by_class_removes_the_plugin",
                            "test_uninstall_by_name_removes_the_plugin",
                            "test_route_it_does_not_concern_keeps_the_callback_itself",
                            "test_http_response_raised_by_the_callback_passes_through_unchanged",
                            "test_http_error_raised_by_the_callback_passes_through_unchanged"})

    def setup(self, app: Any) -> None:
        super().setup(app)
        app.add_hook("after_request", lambda: response.set_header("X-Greeting", "hello"))


class WrapsOnEveryRequestPlugin(WellBehavedPlugin):
    """Resets its route after each request "to pick up config changes", so apply() runs per request."""

    breaks = frozenset({"test_apply_runs_once_per_route_over_many_requests"})

    def wrap(self, callback: Callable[..., Any], route: Any) -> Callable[..., Any]:
        inner = super().wrap(callback, route)

        def rebuilt_every_time(*args: Any, **kwargs: Any) -> Any:
            try:
                return inner(*args, **kwargs)
            finally:
                route.reset()
        return rebuilt_every_time


class SetsUpOnRouteLevelPlugin(WellBehavedPlugin):
    """Calls its own setup() when used as ``apply=[plugin]`` without being installed."""

    breaks = frozenset({"test_route_level_apply_does_not_call_setup"})

    def apply(self, callback: Callable[..., Any], route: Any) -> Callable[..., Any]:
        if not self.installed:
            self.setup(route.app)
        return super().apply(callback, route)


class SwallowsHTTPResponsePlugin(WellBehavedPlugin):
    """Turns every exception from the callback into a 500, redirects and aborts included."""

    breaks = frozenset({"test_http_response_raised_by_the_callback_passes_through_unchanged",
                        "test_http_error_raised_by_the_callback_passes_through_unchanged"})

    def wrap(self, callback: Callable[..., Any], route: Any) -> Callable[..., Any]:
        inner = super().wrap(callback, route)

        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return inner(*args, **kwargs)
            except Exception:
                return HTTPError(500, "Something went wrong.")
        return guarded


class LeaksStateBetweenThreadsPlugin(WellBehavedPlugin):
    """Keeps the current request's query on the plugin object, shared by every thread."""

    breaks = frozenset({"test_concurrent_requests_each_get_their_own_result"})

    def wrap(self, callback: Callable[..., Any], route: Any) -> Callable[..., Any]:
        def echo(*args: Any, **kwargs: Any) -> Any:
            self.current_query = request.query_string
            result = callback(*args, **kwargs)
            response.set_header("X-Greeting", f"hello {self.current_query}")
            return result
        return echo


class WrapsEveryRoutePlugin(WellBehavedPlugin):
    """Wraps routes without ``greet=True`` too (the wrapper then does nothing useful)."""

    breaks = frozenset({"test_route_it_does_not_concern_keeps_the_callback_itself"})

    def apply(self, callback: Callable[..., Any], route: Any) -> Callable[..., Any]:
        if route.config.get(self.keyword):
            return super().apply(callback, route)

        @functools.wraps(callback)
        def pass_along(*args: Any, **kwargs: Any) -> Any:
            return callback(*args, **kwargs)
        return pass_along


class DropsNameAndDocPlugin(WellBehavedPlugin):
    """Returns its wrapper without ``functools.wraps``."""

    warns = frozenset({"test_wrapper_keeps_the_callback_name_and_doc"})

    def apply(self, callback: Callable[..., Any], route: Any) -> Callable[..., Any]:
        if not route.config.get(self.keyword):
            return callback
        return self.wrap(callback, route)


class RegistersItselfTwicePlugin(WellBehavedPlugin):
    """Appends itself to ``app.plugins`` in setup(), which install() does again."""

    breaks = frozenset({"test_install_lists_the_plugin_once", "test_uninstall_calls_close_once",
                        "test_app_close_calls_close_once"})

    def setup(self, app: Any) -> None:
        super().setup(app)
        app.plugins.append(self)


class CloseTakesTheAppPlugin(WellBehavedPlugin):
    """Declares ``close(app)``, mirroring setup(app); the app calls ``close()``."""

    breaks = frozenset({"test_uninstall_calls_close_once", "test_app_close_calls_close_once"})
    # Every uninstall raises the TypeError from close().
    also_fails = frozenset({"test_install_calls_setup_once_per_install", "test_uninstall_by_instance_removes_the_plugin",
                            "test_uninstall_by_class_removes_the_plugin", "test_uninstall_by_name_removes_the_plugin"})

    def close(self, app: Any) -> None:  # type: ignore[override]
        self.installed = False


class BypassesInnerPluginsPlugin(WellBehavedPlugin):
    """Calls ``route.callback`` instead of the callback it was given, skipping the plugins inside it."""

    breaks = frozenset({"test_works_as_the_outermost_plugin"})
    # The newly installed plugin is inside it, so it is bypassed too.
    also_fails = frozenset({"test_new_chain_is_used_after_installing_another_plugin"})

    def wrap(self, callback: Callable[..., Any], route: Any) -> Callable[..., Any]:
        return super().wrap(route.callback, route)


class MemoizesWrappersPlugin(WellBehavedPlugin):
    """Keeps the first wrapper it built for each rule and hands it back after resets."""

    breaks = frozenset({"test_new_chain_is_used_after_installing_another_plugin"})

    def __init__(self) -> None:
        super().__init__()
        self.wrappers: dict[tuple[str, str], Callable[..., Any]] = {}

    def apply(self, callback: Callable[..., Any], route: Any) -> Callable[..., Any]:
        key = (route.method, route.rule)
        if key not in self.wrappers:
            self.wrappers[key] = super().apply(callback, route)
        return self.wrappers[key]


class NamelessPlugin(WellBehavedPlugin):
    """Has no name, so it cannot be skipped or uninstalled by name."""

    name = None  # type: ignore[assignment]
    warns = frozenset({"test_plugin_has_a_name"})
    skips = frozenset({"test_skip_by_name_leaves_the_route_unwrapped", "test_uninstall_by_name_removes_the_plugin"})


class ApiOnePlugin(WellBehavedPlugin):
    """Declares ``api = 1`` although it implements apply(callback, route)."""

    api = 1
    warns = frozenset({"test_plugin_declares_api_2"})


class AcceptsARivalPlugin(WellBehavedPlugin):
    """Claims the ``greet`` route keyword but lets a second plugin claim it too."""

    warns = frozenset({"test_second_instance_claiming_the_same_resource_is_refused"})

    def setup(self, app: Any) -> None:
        self.installed = True


BROKEN_PLUGINS: tuple[type[WellBehavedPlugin], ...] = (
    IgnoresSkipPlugin, WrapsOnEveryRequestPlugin, SetsUpOnRouteLevelPlugin, SwallowsHTTPResponsePlugin,
    LeaksStateBetweenThreadsPlugin, WrapsEveryRoutePlugin, DropsNameAndDocPlugin, RegistersItselfTwicePlugin,
    CloseTakesTheAppPlugin, BypassesInnerPluginsPlugin, MemoizesWrappersPlugin, NamelessPlugin, ApiOnePlugin,
    AcceptsARivalPlugin,
)


class WellBehavedConformance(PluginConformance):
    """The kit over ``plugin_class`` (a name without ``Test``: pytest collects it only
    where a test module subclasses it)."""

    __test__ = False
    plugin_class: ClassVar[type[WellBehavedPlugin]] = WellBehavedPlugin
    route_config: ClassVar[dict[str, Any]] = {"greet": True}
    unconcerned_route_config: ClassVar[dict[str, Any] | None] = {}

    def make_plugin(self) -> WellBehavedPlugin:
        return self.plugin_class()

    def make_conflicting_plugin(self) -> WellBehavedPlugin:
        return self.plugin_class()


# -- written as Bottle's plugin guide describes plugins ---------------------------------------------
def stopwatch(callback: Callable[..., Any]) -> Callable[..., Any]:
    """A plain decorator plugin: reports how long each callback took in ``X-Exec-Time``."""
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.time()
        body = callback(*args, **kwargs)
        response.headers["X-Exec-Time"] = str(time.time() - started)
        return body
    return timed


class Resource:
    """What :class:`ResourcePlugin` hands to a callback: opened per request, closed after it."""

    def __init__(self) -> None:
        self.state = "open"

    def close(self) -> None:
        self.state = "closed"


class ResourcePlugin:
    """Passes a fresh :class:`Resource` to callbacks that take a ``resource`` argument (the
    keyword can be changed per route with ``resource={'keyword': ...}``), and leaves other
    routes alone; refuses a second plugin with the same keyword."""

    name = "resource"
    api = 2

    def __init__(self, keyword: str = "resource") -> None:
        self.keyword = keyword

    def setup(self, app: Any) -> None:
        for other in app.plugins:
            if isinstance(other, ResourcePlugin) and other.keyword == self.keyword:
                raise PluginError(f"Another ResourcePlugin already passes {self.keyword!r}.", self)

    def apply(self, callback: Callable[..., Any], route: Any) -> Callable[..., Any]:
        keyword = (route.config.get("resource") or {}).get("keyword", self.keyword)
        if keyword not in inspect.signature(route.callback).parameters:
            return callback

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kwargs[keyword] = resource = Resource()
            try:
                return callback(*args, **kwargs)
            finally:
                resource.close()
        return wrapper


class StopwatchConformance(PluginConformance):
    """The kit over :func:`stopwatch`, configured as its author would."""

    __test__ = False
    volatile_headers = frozenset({"x-exec-time"})
    #: What the kit reports for it: a decorator without a name or functools.wraps.
    warns: ClassVar[frozenset[str]] = frozenset({"test_plugin_has_a_name", "test_wrapper_keeps_the_callback_name_and_doc"})

    def make_plugin(self) -> Any:
        return stopwatch


class ResourcePluginConformance(PluginConformance):
    """The kit over :class:`ResourcePlugin`, configured as its author would."""

    __test__ = False
    unconcerned_route_config: ClassVar[dict[str, Any] | None] = {}
    warns: ClassVar[frozenset[str]] = frozenset({"test_wrapper_keeps_the_callback_name_and_doc"})

    def make_plugin(self) -> ResourcePlugin:
        return ResourcePlugin()

    def make_callback(self) -> Callable[..., Any]:
        return lambda resource: f"resource {resource.state}"

    def make_conflicting_plugin(self) -> ResourcePlugin:
        return ResourcePlugin()
