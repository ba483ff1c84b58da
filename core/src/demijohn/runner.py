"""Running an app: :func:`run` (what ``demijohn.run()`` and the command line call)
resolves the app, picks the adapter, checks the port, prints the banner and serves, with
the reloader when asked.
"""

from __future__ import annotations

import sys
import warnings
from typing import TYPE_CHECKING, Any, Iterable, Union

from .appstack import default_app, import_app, loading_app
from .loading import load
from .ports import exit_if_taken
from .server import ServerAdapter, ServerError, make_server
from .state import set_debug

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

    from .app import App
    from .decorators import AnyPlugin

#: What :func:`run` serves: an app, any WSGI callable, a ``'pkg.mod:app'`` string, or ``None`` (the default app).
Servable = Union["App", "WSGIApplication", str, None]


def switch_debug(mode: bool) -> None:
    """Switch debug mode (see :func:`demijohn.debug`); when on, warnings are shown too."""
    set_debug(mode)
    if mode:
        warnings.simplefilter("default")


def prepare_app(app: Servable = None, plugins: Iterable[AnyPlugin | str] | None = None, debug: bool | None = None,
                config: dict[str, object] | None = None) -> WSGIApplication:
    """Resolve what :func:`run` serves: an app, ``None`` (the default app) or a
    ``'pkg.mod:app'`` string; then install ``plugins`` and apply ``config``."""
    if debug is not None:
        switch_debug(debug)
    target: Any = default_app() if app is None else app  # an App, or any WSGI callable (checked below)
    if isinstance(app, str):
        target, fresh = import_app(app)
        if ":" not in app:  # a module: serve the routes it added to the default app
            target = fresh
    if not callable(target):
        raise ServerError(f"Cannot serve {target!r}: it is not callable. Give an App, a WSGI callable, "
                          "or a 'package.module:app' string.")
    if plugins or config:
        if not hasattr(target, "install"):
            raise ServerError(f"Cannot install plugins or config on {target!r}: it is not a demijohn App.")
        for plugin in plugins or ():
            target.install(load(plugin) if isinstance(plugin, str) else plugin)
        if config:
            target.config.update(config)
    served: WSGIApplication = target
    return served


def serve(adapter: ServerAdapter, app: WSGIApplication) -> None:
    """Print the banner (unless quiet) and serve ``app`` with ``adapter`` until Ctrl-C."""
    from . import __version__

    if not adapter.quiet:
        print(f"demijohn v{__version__} server starting up (using {adapter!r})...\n"
              f"Listening on {adapter.url}\nHit Ctrl-C to quit.\n", file=sys.stderr, flush=True)
    try:
        adapter.run(app)
    except KeyboardInterrupt:
        pass


def run(app: Servable = None, server: str | type[ServerAdapter] | ServerAdapter = "wsgiref", host: str = "127.0.0.1",
        port: int | str = 8080, interval: float = 1, reloader: bool = False, quiet: bool = False,
        plugins: Iterable[AnyPlugin | str] | None = None, debug: bool | None = None,
        config: dict[str, object] | None = None, **server_options: Any) -> None:
    """Serve ``app`` (default: the default app; or a ``'pkg.mod:app'`` string) with
    ``server`` (a name from :data:`server_names`, an adapter class or instance, or a
    ``'pkg.mod:Class'`` string) on ``host``:``port`` until Ctrl-C::

        run(app, host='127.0.0.1', port=8080, server='waitress', reloader=True)

    ``reloader=True`` restarts the server when a source file changes (see
    :mod:`demijohn.reloader`; ``interval`` is its polling period in seconds). ``plugins``
    are installed and ``config`` merged into ``app.config``; ``debug`` switches debug
    mode; ``quiet`` silences the banner and the server's log. Other keywords go to the server.
    While :func:`demijohn.load_app` imports a module, ``run()`` does nothing.
    """
    if loading_app.get():
        return
    adapter = make_server(server, host, port, **server_options)
    adapter.quiet = adapter.quiet or quiet
    if adapter.binds_address:
        exit_if_taken(adapter.host, adapter.port, hint="run(port={port})")
    if reloader:
        # Imported only here: with subprocess, tempfile and shutil it is ~10 ms of every
        # start, and it starts threads (*coldstart*).
        from . import reloader as reloading

        if reloading.is_child():
            status = reloading.serve_child(lambda: prepare_app(app, plugins, debug, config),
                                           lambda target: serve(adapter, target), interval)
        else:
            status = reloading.supervise(interval)
    else:
        serve(adapter, prepare_app(app, plugins, debug, config))
        status = 0
    if status:
        raise SystemExit(status)
