"""The plugin protocol (api 2) and the built-in JSON plugin.

A plugin is a callable taking a callback and returning one (a plain decorator, api 1), or
an object with ``apply(callback, route)``. It may have a ``name`` (a later plugin of the
same name shadows it, and ``skip=['name']`` leaves it out), ``api = 2``, ``setup(app)``
(called on install) and ``close()`` (called on uninstall and ``app.close()``).
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any, Callable, Protocol, runtime_checkable

from .context import response
from .errors import PluginError
from .response import HTTPResponse

if TYPE_CHECKING:
    from .route import Route


@runtime_checkable
class Plugin(Protocol):
    """What an api-2 plugin provides. Only ``apply`` is required; ``name``, ``api``,
    ``setup`` and ``close`` are optional (see the module docstring)."""

    def apply(self, callback: Callable[..., Any], route: Route) -> Callable[..., Any]:
        """Return ``callback`` wrapped for ``route``, or unchanged if the plugin does not
        concern the route. Called once per route per reset, never per request."""
        ...


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


__all__ = ["Plugin", "JSONPlugin", "PluginError"]
