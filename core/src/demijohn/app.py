"""The application: routes, plugins, hooks, error handlers, mounting, and the WSGI entry point.

The request path (``wsgi``) is kept short on purpose; each step that looks unusual says
which ``bench/`` scenario it serves.
"""

from __future__ import annotations

import functools
import sys
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Callable, Iterable, overload

from .context import current, request
from .datastructures import ConfigDict
from .decorators import AnyPlugin, Callback, ErrorHandler, InstalledPlugin, PluginSelection, RouteVerb, Rules
from .errors import NotAPluginError, RouteReset
from .errorpage import error_page
from .httputil import BODYLESS_STATUSES
from . import proxy
from .plugins import JSONPlugin
from .response import BaseResponse, HTTPError, HTTPResponse, fresh_response
from .route import Route, makelist
from .router import Router, path_limit, yieldroutes
from .state import DebugFlag
from .templates import TemplatePlugin
from .answer import Materializer
from .body_iterators import close_body
from .mounting import mount_segments, mountpoint

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from .resources import ResourceManager

_MAX_RESETS = 10  # RouteReset rebuilds a route and calls it again; a plugin that always raises it must not hang


class App:
    """A WSGI application. Create one, add routes with the decorators, and hand it to a
    WSGI server (or :func:`demijohn.run`)::

        app = App()

        @app.get('/hello/<name>')
        def hello(name):
            return f'Hello {name}!'

    ``catchall=False`` lets exceptions escape to the server (for debuggers and tests);
    ``autojson=False`` leaves out the JSON plugin.
    """

    #: Debug mode for every app (read live from :mod:`demijohn.state`): tracebacks in error
    #: pages. Set it with :func:`debug`.
    debug_mode = DebugFlag()
    _resources: ResourceManager  # set by `resources` on first use

    def __init__(self, catchall: bool = True, autojson: bool = True) -> None:
        self._hooks: defaultdict[str, list[Callable[..., Any]]] = defaultdict(list)
        # Direct references to the hook lists, so a request with no hooks does no hook work.
        self._before_request = self._hooks["before_request"]
        self._after_request = self._hooks["after_request"]
        self.config = ConfigDict()
        self.config._on_change = functools.partial(self.trigger_hook, "config")
        self.config.meta_set("catchall", "help", "Turn uncaught exceptions into 500 pages (else re-raise).")
        proxy.declare(self.config)
        self.config["catchall"] = catchall
        self.config["autojson"] = autojson
        self.routes: list[Route] = []
        self.router = Router()
        self.config.meta_set("request.max_path", "filter", path_limit(self.router))
        self.error_handler: dict[int, Callable[[HTTPError], object]] = {}
        self.plugins: list[AnyPlugin] = []
        # The bound __call__: a plain method call per request, cheaper than calling the instance (*hello*).
        self._materialize = Materializer(self._render_error, self._internal_error, lambda: self.catchall).__call__
        if autojson:
            self.install(JSONPlugin())
        self.install(TemplatePlugin())  # leaves routes without template= unwrapped (identity)

    @property
    def resources(self) -> ResourceManager:
        """The app's :class:`ResourceManager`: folders searched for the app's own files."""
        try:
            return self._resources
        except AttributeError:  # made on first use: few apps need it (import time)
            from .resources import ResourceManager

            self._resources = ResourceManager()
            return self._resources

    @property
    def catchall(self) -> bool:
        """Whether uncaught exceptions become 500 pages (``True``) or propagate."""
        return bool(self.config.get("catchall", True))

    @catchall.setter
    def catchall(self, value: bool) -> None:
        self.config["catchall"] = value

    # -- hooks ----------------------------------------------------------------------------------
    def add_hook(self, name: str, func: Callable[..., object]) -> None:
        """Register ``func`` for hook ``name``: ``before_request``, ``after_request`` (run in
        reverse order of registration, also after errors), ``app_reset`` or ``config``."""
        if name == "after_request":
            self._hooks[name].insert(0, func)
        else:
            self._hooks[name].append(func)

    def remove_hook(self, name: str, func: Callable[..., object]) -> bool:
        """Unregister ``func`` from hook ``name``; ``True`` if it was registered."""
        if func in self._hooks.get(name, ()):
            self._hooks[name].remove(func)
            return True
        return False

    def trigger_hook(self, name: str, *args: object, **kwargs: object) -> list[object]:
        """Call every function registered for hook ``name`` and return their results."""
        return [hook(*args, **kwargs) for hook in self._hooks[name][:]]

    def hook(self, name: str) -> Callable[[Callback], Callback]:
        """Decorator form of :meth:`add_hook`: ``@app.hook('before_request')``."""
        def decorator(func: Callback) -> Callback:
            self.add_hook(name, func)
            return func
        return decorator

    # -- plugins --------------------------------------------------------------------------------
    def install(self, plugin: InstalledPlugin) -> InstalledPlugin:
        """Install a plugin for every route: calls its ``setup(app)``, appends it to
        :attr:`plugins` and resets the routes. Returns the plugin. The first installed
        plugin is the outermost wrapper."""
        if not callable(plugin) and not hasattr(plugin, "apply"):
            raise NotAPluginError(f"Cannot install {plugin!r}: a plugin must be callable (a decorator) "
                                  "or have an apply(callback, route) method.", plugin)
        if hasattr(plugin, "setup"):
            plugin.setup(self)
        self.plugins.append(plugin)
        self.reset()
        return plugin

    def uninstall(self, plugin: AnyPlugin | type | str | bool) -> list[AnyPlugin]:
        """Remove plugins: ``plugin`` is an instance, a class, a name or ``True`` (all).
        Calls ``close()`` on each removed one, resets the routes, and returns them."""
        removed = []
        for position in range(len(self.plugins) - 1, -1, -1):
            candidate = self.plugins[position]
            if (plugin is True or candidate is plugin or type(candidate) is plugin
                    or (isinstance(plugin, str) and getattr(candidate, "name", None) == plugin)):
                removed.append(candidate)
                del self.plugins[position]
                if hasattr(candidate, "close"):
                    candidate.close()
        if removed:
            self.reset()
        return removed

    def reset(self, route: Route | int | None = None) -> None:
        """Drop the cached callbacks of all routes (or of one route, or the one at an
        index), so plugins are applied again; fires the ``app_reset`` hook."""
        if route is None:
            routes = self.routes
        elif isinstance(route, Route):
            routes = [route]
        else:
            routes = [self.routes[route]]
        for each in routes:
            each.reset()
        if self.debug_mode:
            for each in routes:
                each.prepare()
        self.trigger_hook("app_reset")

    def close(self) -> None:
        """Call ``close()`` on every installed plugin (on shutdown)."""
        for plugin in self.plugins:
            if hasattr(plugin, "close"):
                plugin.close()

    # -- routes ---------------------------------------------------------------------------------
    def add_route(self, route: Route) -> None:
        """Add a :class:`Route` made elsewhere (see :meth:`merge`)."""
        self.routes.append(route)
        self.router.add(route.rule, route.method, route, name=route.name)
        if self.debug_mode:
            route.prepare()

    @overload
    def route(self, path: Callback, method: str | list[str] = ..., callback: None = ..., name: str | None = ...,
              apply: PluginSelection = ..., skip: PluginSelection = ..., **config: object) -> Callback: ...
    @overload
    def route(self, path: Rules = ..., method: str | list[str] = ..., callback: None = ..., name: str | None = ...,
              apply: PluginSelection = ..., skip: PluginSelection = ...,
              **config: object) -> Callable[[Callback], Callback]: ...
    @overload
    def route(self, path: Rules, method: str | list[str], callback: Callback, name: str | None = ...,
              apply: PluginSelection = ..., skip: PluginSelection = ..., **config: object) -> Callback: ...
    @overload
    def route(self, path: Rules = ..., method: str | list[str] = ..., *, callback: Callback, name: str | None = ...,
              apply: PluginSelection = ..., skip: PluginSelection = ..., **config: object) -> Callback: ...
    def route(self, path: Rules | Callable[..., object] = None, method: str | list[str] = "GET",
              callback: Callable[..., object] | str | None = None, name: str | None = None,
              apply: PluginSelection = None, skip: PluginSelection = None,
              **config: object) -> Callable[..., object]:
        """Add a route, as a decorator or a plain call (``app.route('/x', 'GET', cb)``); the
        decorated function is returned unchanged (see :mod:`demijohn.decorators`).

        ``path`` may be one rule or several (none: derived from the callback's name and
        arguments); ``method`` one or several (``'ANY'`` for every method); ``apply`` and
        ``skip`` add or leave out plugins for this route; other keywords are route config.
        ``callback`` may be a ``'pkg.mod:name'`` string, loaded with :func:`demijohn.load`.
        ``app.get``, ``app.post``, ``app.put``, ``app.delete`` and ``app.patch`` are this with
        the method filled in (``GET`` routes answer ``HEAD`` too)."""
        if callable(path):
            path, callback = None, path
        plugins, skiplist = makelist(apply), makelist(skip)

        def decorator(given: Callable[..., object] | str) -> Callable[..., object]:
            if isinstance(given, str):
                from .loading import load

                given = load(given)
            callback: Callable[..., object] = given  # type: ignore[assignment]
            for rule in makelist(path) or yieldroutes(callback):
                for verb in makelist(method):
                    self.add_route(Route(self, rule, verb.upper(), callback, name=name, plugins=plugins,
                                         skiplist=skiplist, **config))
            return callback

        return decorator(callback) if callback else decorator

    if TYPE_CHECKING:  # for type checkers each verb is route() itself: the same call forms and types
        get = post = put = delete = patch = route
    else:
        get, post, put, delete, patch = (RouteVerb(method) for method in ("GET", "POST", "PUT", "DELETE", "PATCH"))

    @overload
    def error(self, code: int = ..., callback: None = ...) -> Callable[[ErrorHandler], ErrorHandler]: ...
    @overload
    def error(self, code: int, callback: ErrorHandler) -> ErrorHandler: ...
    def error(self, code: int = 500, callback: ErrorHandler | None = None) -> object:
        """Register an error handler for status ``code``, as a decorator or a plain call;
        it receives the :class:`HTTPError` and returns the body."""
        def decorator(callback: ErrorHandler) -> ErrorHandler:
            self.error_handler[int(code)] = callback
            return callback
        return decorator(callback) if callback else decorator

    def match(self, environ: dict[str, Any]) -> tuple[Route, dict[str, Any]]:
        """Return ``(route, url_args)`` for an environ; raises ``HTTPError`` 404/405."""
        return self.router.match(environ)

    def get_url(self, routename: str, **kwargs: Any) -> str:
        """Build the URL of a route, given by name or by its rule as in Bottle
        (``get_url('/user/<id>', id=5)``), below the current request's mount point.
        Keywords fill wildcards; the rest become the query string."""
        try:
            script_name = request.environ.get("SCRIPT_NAME", "").strip("/")
        except RuntimeError:  # outside a request
            script_name = ""
        location = self.router.build(routename, **kwargs).lstrip("/")
        return f"/{script_name}/{location}" if script_name else f"/{location}"

    def merge(self, routes: App | Iterable[Route]) -> None:
        """Add the routes of another app (or a list of routes) to this one; they keep their
        own app's plugins and config."""
        for route in routes.routes if isinstance(routes, App) else routes:
            self.add_route(route)

    def mount(self, prefix: str, app: App | WSGIApplication, **options: object) -> None:
        """Serve another app (a demijohn app or any WSGI callable) below ``prefix``:
        requests to ``/prefix/...`` reach it with ``SCRIPT_NAME`` and ``PATH_INFO`` shifted."""
        segments = mount_segments(prefix, app)
        if isinstance(app, App):  # Bottle's mount metadata, which plugins read
            app.config["_mount.prefix"] = prefix
            app.config["_mount.app"] = self
        settings: dict[str, Any] = {"skip": True, "method": "PROXY", "mountpoint": {"prefix": prefix, "target": app},
                                    **options, "callback": mountpoint(app, len(segments))}
        self.route("/" + "/".join(segments) + "/<:re:.*>", **settings)
        if not prefix.endswith("/"):
            self.route("/" + "/".join(segments), **settings)

    def run(self, **kwargs: Any) -> None:
        """Serve this app: ``run(app=self, **kwargs)``."""
        from .runner import run  # upward import: App.run starts a server

        run(self, **kwargs)

    # -- the request path -----------------------------------------------------------------------
    def _handle(self, environ: dict[str, Any], response: BaseResponse) -> Any:
        path = environ["PATH_INFO"]
        if not path.isascii():  # servers pass the path as latin-1; we want UTF-8
            try:
                environ["PATH_INFO"] = path.encode("latin-1").decode("utf-8")
            except UnicodeError:
                return HTTPError(400, "The request path is not valid UTF-8.")
        environ["bottle.app"] = self
        route, resets = None, 0
        try:
            while True:  # a RouteReset from a plugin rebuilds the route and calls it again
                out = None
                try:
                    if self._before_request:
                        self.trigger_hook("before_request")
                    route, args = self.router.match(environ)
                    environ["route.handle"] = environ["bottle.route"] = route
                    environ["route.url_args"] = args
                    out = route.call(**args) if args else route.call()
                    break
                except HTTPResponse as answer:
                    # Its traceback would hold this frame, which holds it: a cycle per 404 that only
                    # the garbage collector frees, at a pause of its choosing (*404*).
                    out = answer.with_traceback(None)
                    break
                except RouteReset:  # from a plugin or callback: rebuild the route; from a hook: start over
                    resets += 1
                    if resets > _MAX_RESETS:
                        raise RuntimeError(f"RouteReset raised {resets} times in a row for {environ['PATH_INFO']!r}; "
                                           "a plugin or hook that raises it must stop doing so once reset.") from None
                    if route is not None:
                        route.reset()
                finally:
                    if isinstance(out, HTTPResponse):
                        out.apply(response)
                    if self._after_request:
                        try:
                            self.trigger_hook("after_request")
                        except HTTPResponse as answer:
                            out = answer
                            out.apply(response)
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except Exception as error:
            if not self.catchall:
                raise
            out = self._internal_error(environ, error)
            out.apply(response)
        return out

    def _internal_error(self, environ: dict[str, Any], error: BaseException) -> HTTPError:
        import traceback

        stacktrace = traceback.format_exc()
        errors = environ.get("wsgi.errors") or sys.stderr
        errors.write(stacktrace)
        errors.flush()
        return HTTPError(500, "Internal Server Error", error, stacktrace)

    def default_error_handler(self, error: HTTPError) -> str:
        """Render an error page: the status and the error's message; the exception and
        traceback only in debug mode."""
        return error_page(error, self.debug_mode, current.get((None, None))[0])

    def _render_error(self, error: HTTPError, response: BaseResponse) -> Any:
        error.apply(response)
        handler = self.error_handler.get(error.status_code)
        if handler is None:
            content_type = error.get_header("Content-Type")
            if content_type and not content_type.startswith("text/html"):
                return error.body  # an error that brings its own format (problem+json, say) is sent as is
            handler = self.default_error_handler
        try:
            return handler(error)
        except HTTPResponse as answer:
            return answer
        except Exception as failure:  # a failing error handler must not take the page down
            if not self.catchall:
                raise
            report = self._internal_error(request.environ, failure)
            report.apply(response)
            return self.default_error_handler(report)

    def wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI entry point (``app(environ, start_response)`` does the same)."""
        response = fresh_response()
        token = current.set((environ, response))
        try:
            out = self._materialize(self._handle(environ, response), response)
            if response._status_code in BODYLESS_STATUSES or environ["REQUEST_METHOD"] == "HEAD":
                close_body(out)
                out = []
            start_response(response._status_line, response.headerlist)
            return out
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except Exception as error:
            if not self.catchall:
                raise
            report = self._internal_error(environ, error)
            page = self.default_error_handler(report).encode()
            start_response("500 Internal Server Error", [("Content-Type", "text/html; charset=UTF-8"),
                                                         ("Content-Length", str(len(page)))], sys.exc_info())
            return [page]
        finally:
            current.reset(token)

    # The server calls the app itself; an alias saves a call frame per request (*hello*).
    __call__ = wsgi

    def __setattr__(self, name: str, value: object) -> None:
        """Attributes can be added to an app, but only once, as in Bottle (plugins keep
        their state there); ``del app.name`` first to replace one."""
        # Never read self.__dict__ here: that turns the instance's inline attribute storage into
        # a dict, and every attribute read on the request path gets slower (*hello*).
        default = getattr(type(self), name, None)
        if not hasattr(default, "__set__"):  # properties keep their own rules
            try:
                present = object.__getattribute__(self, name)
            except AttributeError:
                pass
            else:  # a method of the class may be replaced once (a plugin's error handler, say)
                if default is None or (present is not default and getattr(present, "__func__", None) is not default):
                    raise AttributeError(f"App attribute {name!r} is already set; `del app.{name}` first to "
                                         "replace it.")
        object.__setattr__(self, name, value)

    def __enter__(self) -> App:
        from .appstack import default_app  # upward import: `with app:` pushes the default app

        return default_app.push(self)

    def __exit__(self, *exc_info: object) -> None:
        from .appstack import default_app  # upward import: `with app:` pops the default app

        default_app.pop()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} with {len(self.routes)} routes>"


Bottle = App
