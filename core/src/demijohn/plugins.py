"""The plugin protocol (api 2), the helpers every plugin needs, and the built-in JSON plugin.

A plugin is a callable taking a callback and returning one (a plain decorator, api 1), or
an object with ``apply(callback, route)``. It may have a ``name`` (a later plugin of the
same name shadows it, and ``skip=['name']`` leaves it out), ``api = 2``, ``setup(app)``
(called on install) and ``close()`` (called on uninstall and ``app.close()``).

A plugin that reads a route keyword (``@app.get('/', cache=True)``) names it in its
``keyword`` attribute, refuses a second claimant with :func:`claim_keyword` in ``setup``,
and reads the route's value with :func:`route_option` in ``apply``.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any, Callable, Collection, Mapping, Protocol, runtime_checkable

from . import environ_keys
from .context import bound_pair, response
from .errors import PluginError
from .response import HTTPResponse

if TYPE_CHECKING:
    from .app import App
    from .route import Route


@runtime_checkable
class Plugin(Protocol):
    """What an api-2 plugin provides. Only ``apply`` is required; ``name``, ``api``,
    ``setup`` and ``close`` are optional (see the module docstring)."""

    def apply(self, callback: Callable[..., object], route: Route) -> Callable[..., object]:
        """Return ``callback`` wrapped for ``route``, or unchanged if the plugin does not
        concern the route. Called once per route per reset, never per request."""
        ...


def claim_keyword(app: App, plugin: object, keyword: str | None = None) -> None:
    """Refuse ``plugin`` (from its ``setup(app)``) when another plugin installed on ``app``
    claims the same route keyword in its ``keyword`` attribute: both would read one route
    option, or pass one argument to callbacks. ``keyword`` defaults to ``plugin.keyword``.

    Raises :class:`PluginError` naming both plugins and how to part them."""
    claimed = keyword if keyword is not None else getattr(plugin, "keyword", None)
    if claimed is None:
        raise TypeError(f"claim_keyword({plugin!r}): the plugin has no `keyword` attribute; pass keyword=...")
    for other in app.plugins:
        if other is not plugin and getattr(other, "keyword", None) == claimed:
            raise PluginError(
                f"{type(plugin).__name__}: {other!r} already claims the route keyword {claimed!r}; "
                f"uninstall it, or give one of them another keyword (keyword=...).",
                plugin,
            )


def route_option(route: Route, keyword: str, known: Collection[str], *, missing: bool = False,
                 plugin: object = None) -> dict[str, Any] | None:
    """The options a route gives a plugin in ``route.config[keyword]``, read in ``apply``:
    ``None`` when the route opts out (``False``, or no value and ``missing=False``), ``{}``
    for ``True`` (the plugin's defaults), else a copy of the dict.

    Any other value, or a dict key outside ``known``, raises :class:`PluginError` naming
    the route and what would be right: a bad option fails at startup, not on a request."""
    value = route.config.get(keyword)
    if value is None:
        value = missing
    if value is False:
        return None
    if value is True:
        return {}
    where = f"route {route.method} {route.rule!r}: {keyword}="
    if not isinstance(value, Mapping):
        raise PluginError(f"{where}{value!r} is not valid; pass True, False or a dict of options "
                          f"among {sorted(known)}", plugin)
    unknown = set(value).difference(known)
    if unknown:
        raise PluginError(f"{where}{{...}} has unknown option(s) {sorted(unknown)}; known options are "
                          f"{sorted(known)}", plugin)
    return dict(value)


class RequestSlot:
    """A per-request value a plugin publishes as ``request.<name>``, set and read in one
    step from inside a request (no trip through the ``request`` proxy)::

        SESSION = RequestSlot("session")      # at import time, once
        SESSION.set(session)                  # in the wrapper, per request
        request.session                       # what callbacks and templates read

    Unlike ``request.<name> = value`` a slot may be set again in the same request (the
    plugin that owns the name replaces its own value). Outside a request ``set`` and
    ``get`` follow ``request``'s rule (the main thread has an empty default request)."""

    __slots__ = ("key", "name")

    def __init__(self, name: str) -> None:
        if not name.isidentifier():
            raise ValueError(f"RequestSlot({name!r}): the name must be a Python identifier (request.{name} is read)")
        self.name = name
        self.key = environ_keys.REQUEST_EXT + name

    def set(self, value: Any) -> None:
        """Publish ``value`` as ``request.<name>`` for the current request."""
        bound_pair()[0][self.key] = value

    def get(self, default: Any = None) -> Any:
        """The current request's value, or ``default`` when none was set."""
        return bound_pair()[0].get(self.key, default)

    def clear(self) -> None:
        """Remove the value from the current request (nothing happens when there is none)."""
        bound_pair()[0].pop(self.key, None)

    def __repr__(self) -> str:
        return f"RequestSlot({self.name!r})"


class JSONPlugin:
    """Turns dicts returned by callbacks (and dict bodies of ``HTTPResponse``) into JSON
    responses with ``Content-Type: application/json``. Installed on every app unless it is
    created with ``autojson=False``; ``JSONPlugin(lists=True)`` also converts lists.

    ``json_dumps`` replaces :func:`json.dumps` (to serialise dates, say). A second JSON
    plugin installed later (a pretty-printing subclass, say) shadows this one, as in Bottle:
    both are named ``json``, and of plugins sharing a name only the last installed applies."""

    name = "json"
    api = 2

    def __init__(self, json_dumps: Callable[[Any], str] | None = json.dumps, lists: bool = False) -> None:
        self.json_dumps = json_dumps
        self.types: tuple[type, ...] = (dict, list) if lists else (dict,)

    def apply(self, callback: Callable[..., Any], route: Route) -> Callable[..., Any]:
        """Wrap ``callback`` so its dict results are serialised."""
        dumps, types = self.json_dumps, self.types
        if dumps is None:  # JSONPlugin(json_dumps=None) switches it off
            return callback

        @functools.wraps(callback)
        def json_wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                result = callback(*args, **kwargs)
            except HTTPResponse as answer:
                if isinstance(answer.body, types):
                    answer.body = dumps(answer.body)
                    answer.content_type = "application/json"
                raise
            if isinstance(result, types):
                # A known-good value goes straight into the bound response's headers: no
                # proxy property and no header check per request (*json*).
                response._headers["Content-Type"] = ["application/json"]
                return dumps(result)
            if isinstance(result, HTTPResponse) and isinstance(result.body, types):
                result.body = dumps(result.body)
                result.content_type = "application/json"
            return result

        return json_wrapper


__all__ = ["Plugin", "JSONPlugin", "PluginError", "RequestSlot", "claim_keyword", "route_option"]
