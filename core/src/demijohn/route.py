"""A route: one rule, one method, one callback, and the plugins that wrap it.

The callback actually called on a request is ``route.call``: built by
:meth:`Route._make_callback` on first use by applying every plugin (docs/plugin-authors.md), then cached,
so a plugin's ``apply`` runs once per route per reset, never per request.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterator

from .errors import RouteReset

if TYPE_CHECKING:
    from .app import App

_build_lock = threading.RLock()  # RLock: a plugin's apply may touch other routes' callbacks


def makelist(data: Any) -> list[Any]:
    """Return ``data`` as a list: lists, tuples and sets are copied, ``None`` becomes ``[]``,
    anything else is wrapped. Route arguments (paths, methods, plugins) may be one or several."""
    if isinstance(data, (tuple, list, set, dict)):
        return list(data)
    if data:
        return [data]
    return []


class Route:
    """One route of an app. Extra keywords given to ``app.route()`` land in
    :attr:`config`, where plugins read their per-route settings
    (``route.config.get('cache')``); keys it lacks fall back to ``app.config``."""

    def __init__(self, app: App, rule: str, method: str, callback: Callable[..., Any], name: str | None = None,
                 plugins: Any = None, skiplist: Any = None, **config: Any) -> None:
        self.app = app
        self.rule = rule
        self.method = method
        self.callback = callback
        self.name = name or None
        self.plugins: list[Any] = makelist(plugins)
        self.skiplist: list[Any] = makelist(skiplist)
        self._unchanged_by: list[Any] = []
        self.config = app.config._make_overlay()
        for key, value in config.items():
            if isinstance(value, dict):
                self.config.load_dict(value, key)
            dict.__setitem__(self.config, key, value)

    #: The callback with every plugin applied: built on first use, then a plain attribute
    #: read from the instance dict (*hello*); :meth:`reset` drops it.
    call: Callable[..., Any]

    def __getattr__(self, name: str) -> Any:
        if name != "call":
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        with _build_lock:  # concurrent first requests must not apply the plugins twice
            if "call" not in self.__dict__:
                self.__dict__["call"] = self._make_callback()
        return self.__dict__["call"]

    def reset(self) -> None:
        """Drop the cached :attr:`call`; plugins are applied again on the next request."""
        self.__dict__.pop("call", None)

    def prepare(self) -> None:
        """Build :attr:`call` now rather than on the first request (catches plugin errors early)."""
        self.call  # noqa: B018 - the property builds and caches it

    def _plugin_plan(self) -> Iterator[tuple[Any, str | None]]:
        """Yield ``(plugin, reason_left_out)`` from the innermost plugin to the outermost
        (last installed first); the reason is ``None`` for a plugin that is applied."""
        skiplist = self.skiplist
        skip_all = True in skiplist
        seen_names: set[str] = set()
        for plugin in reversed(self.app.plugins + self.plugins):
            name = getattr(plugin, "name", None)
            if skip_all:
                yield plugin, "skipped by skip=True"
            elif name and name in skiplist:
                yield plugin, f"skipped by name {name!r}"
            elif name and name in seen_names:
                yield plugin, f"shadowed by a later plugin named {name!r}"
            elif any(plugin is entry for entry in skiplist):
                yield plugin, "skipped by instance"
            elif type(plugin) in skiplist:
                yield plugin, f"skipped by class {type(plugin).__name__}"
            else:
                if name:
                    seen_names.add(name)
                yield plugin, None

    def all_plugins(self) -> Iterator[Any]:
        """Yield the plugins that apply to this route, innermost (last installed) first."""
        return (plugin for plugin, reason in self._plugin_plan() if reason is None)

    def _make_callback(self) -> Callable[..., Any]:
        callback = self.callback
        self._unchanged_by = []
        for plugin in self.all_plugins():
            before = callback
            try:
                if hasattr(plugin, "apply"):
                    callback = plugin.apply(callback, self)
                else:
                    callback = plugin(callback)
            except RouteReset:  # a plugin changed the route: start over
                return self._make_callback()
            if callback is before:
                self._unchanged_by.append(plugin)
            elif callback is not self.callback:
                try:
                    functools.update_wrapper(callback, self.callback)
                except (AttributeError, TypeError):  # builtins and bound methods cannot take attributes
                    pass
        return callback

    def explain(self) -> list[str]:
        """Describe the plugin chain of this route: the plugins that wrap the callback,
        outermost first, then those left out and why. Use it when a plugin seems not to run.

        >>> route.explain()  # doctest: +SKIP
        ['1. json', '2. db', "left out: cache (skipped by name 'cache')"]
        """
        self.prepare()
        applied, left_out = [], []
        for plugin, reason in self._plugin_plan():
            label = getattr(plugin, "name", None) or type(plugin).__name__
            if reason is None and any(plugin is other for other in self._unchanged_by):
                reason = "returned the callback unchanged"
            if reason is None:
                applied.append(label)
            else:
                left_out.append(f"left out: {label} ({reason})")
        return [f"{position}. {label}" for position, label in enumerate(reversed(applied), 1)] + left_out

    def get_undecorated_callback(self) -> Callable[..., Any]:
        """The original callback behind its decorators: followed through ``__wrapped__``
        (``functools.wraps``), bound methods, and, as Bottle does, wrappers that do not
        set ``__wrapped__``: a function taking only ``*args``/``**kwargs`` (or nothing) that
        closes over a callable is taken to wrap that callable."""
        import inspect

        func: Any = self.callback
        for _ in range(100):  # a bound: closures can refer to each other
            func = inspect.unwrap(func)
            func = getattr(func, "__func__", func)
            wrapped = _closure_target(func)
            if wrapped is None:
                break
            func = wrapped
        return func  # type: ignore[no-any-return]

    def get_callback_args(self) -> list[str]:
        """The names of the arguments the undecorated callback accepts by keyword."""
        import inspect

        parameters = inspect.signature(self.get_undecorated_callback()).parameters.values()
        return [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]

    def get_config(self, key: str, default: Any = None) -> Any:
        """The route's config value for ``key``, falling back to the app's, then ``default``."""
        return self.config.get(key, default)

    def __repr__(self) -> str:
        callback = self.get_undecorated_callback()
        return f"<{self.method} {self.rule!r} {getattr(callback, '__qualname__', callback)!r}>"


def _closure_target(func: Any) -> Any:
    """The callable a decorator's wrapper closes over, or ``None`` when ``func`` does not
    look like such a wrapper (it names parameters of its own, or closes over no callable)."""
    import inspect

    closure = getattr(func, "__closure__", None)
    if not closure or not inspect.isfunction(func):
        return None
    kinds = {parameter.kind for parameter in inspect.signature(func).parameters.values()}
    if kinds - {inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD}:
        return None
    for cell in closure:
        try:
            content = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if callable(content) and not isinstance(content, type):
            return content
    return None
