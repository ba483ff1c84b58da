"""The types of the app's decorators and plugins, so a decorated function keeps its own type::

    @app.get('/notes/<id:int>')          # a decorator: returns `show` itself
    def show(id: int) -> str: ...

    @app.post                            # no path: one is derived from the name
    def create() -> str: ...

    app.route('/x', 'GET', callback=f)   # a plain call: returns f

:meth:`App.route` declares these forms (its overloads); ``app.get`` and its siblings are
:class:`RouteVerb` objects that call it with the method filled in, and type checkers see them
as ``route`` itself, as they see the module-level ``route``, ``get``, ... relays.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol, TypeVar, Union

from .plugins import Plugin
from .response import HTTPError

#: A route callback: any callable; what it returns the app turns into a body.
Callback = TypeVar("Callback", bound=Callable[..., object])
#: What ``apply=`` and ``skip=`` take: one plugin (or plugin name, class, ``True``) or a list of them.
PluginSelection = Union[object, "list[object]", None]
#: One rule or several; ``None`` derives rules from the callback's name and arguments.
Rules = Union[str, "list[str]", None]
#: An error handler: takes the :class:`HTTPError`, returns the body of the error page.
ErrorHandler = TypeVar("ErrorHandler", bound=Callable[[HTTPError], object])
#: What :meth:`App.install` takes: an api-2 :class:`Plugin` or a plain decorator (api 1).
AnyPlugin = Union[Plugin, Callable[[Callable[..., object]], Callable[..., object]]]
InstalledPlugin = TypeVar("InstalledPlugin", bound=AnyPlugin)


class Routes(Protocol):
    """What :class:`RouteVerb` needs of its owner: :meth:`App.route`."""

    def route(self, *args: Any, **kwargs: Any) -> object:
        """Add a route (see :meth:`App.route`)."""


class RouteVerb:
    """``app.get`` and its siblings: :meth:`App.route` with the HTTP method filled in (it may
    still be given, as in Bottle: ``app.get('/x', 'HEAD')``)."""

    def __init__(self, method: str) -> None:
        self.method = method
        self.__doc__ = f"Add a route for ``{method}``: :meth:`App.route` with ``method='{method}'``" + \
            (" (``HEAD`` is answered by it too)." if method == "GET" else ".")

    def __set_name__(self, owner: type, name: str) -> None:
        self.__name__ = self.__qualname__ = name

    def __get__(self, app: Routes | None, owner: type | None = None) -> Callable[..., object]:
        if app is None:
            return self  # type: ignore[return-value]  # the class attribute, for docs and introspection
        route, default = app.route, self.method

        def verb(path: object = None, method: str | list[str] = default, **options: Any) -> object:
            return route(path, method, **options)

        verb.__name__, verb.__doc__ = self.__name__, self.__doc__
        return verb


__all__ = ["AnyPlugin", "Callback", "ErrorHandler", "InstalledPlugin", "PluginSelection", "Routes", "RouteVerb", "Rules"]
