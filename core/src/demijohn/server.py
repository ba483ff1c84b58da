"""Servers: the :class:`ServerAdapter` family, :data:`server_names` and :func:`make_server`
(:func:`demijohn.run`, in :mod:`demijohn.runner`, serves an app with one).

An adapter wraps one WSGI server behind ``adapter.run(app)``. ``wsgiref`` (the standard
library) is the default and needs nothing installed; ``waitress``, ``gunicorn``,
``cheroot``, ``gevent`` and ``granian`` need their package (``pip install
'demijohn[servers]'`` brings all but gevent). ``auto`` picks the first one installed, in the order of
:attr:`AutoServer.adapters`. Every adapter accepts ``host='unix:/path/to.sock'`` to listen
on a Unix socket instead of a TCP port.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import threading
from typing import TYPE_CHECKING, Any, Callable

from .errors import BottleException

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


class ServerError(BottleException, ValueError):
    """A server could not be chosen or started: an unknown name, a missing package, a bad
    option, or an app that is not callable. The message says which and how to fix it."""


class ServerAdapter:
    """Base class of server adapters: subclass it and implement :meth:`run` to serve with
    another WSGI server, then pass the class (or ``'pkg.mod:MyServer'``) as ``run(server=...)``.

    ``options`` are the extra keywords given to :func:`run`; adapters pass them on to
    their server. Set :attr:`quiet` to silence the server's own logging.
    """

    quiet: bool = False
    #: The importable package this adapter needs (``None``: only the standard library).
    package: str | None = None
    #: Whether :meth:`run` listens on ``host:port`` itself, so that :func:`run` checks the port
    #: is free before the banner. False for an adapter that does not (one handed a socket, say).
    binds_address: bool = True

    def __init__(self, host: str = "127.0.0.1", port: int | str = 8080, **options: Any) -> None:
        self.host = host
        try:
            self.port = int(port)
        except (TypeError, ValueError):
            raise ServerError(f"Invalid port {port!r}: give a number between 0 and 65535.") from None
        self.options = options

    @classmethod
    def installed(cls) -> bool:
        """Whether the package this adapter needs can be imported."""
        return cls.package is None or importlib.util.find_spec(cls.package) is not None

    def check(self) -> None:
        """Raise a one-line :class:`ServerError` naming the package to install when it is missing."""
        if not self.installed():
            raise ServerError(f"The {type(self).__name__} adapter needs the {self.package!r} package, which is "
                              f"not installed: pip install {self.package}")

    @property
    def unix_socket(self) -> str | None:
        """The socket path when ``host`` is ``'unix:/path'``, else ``None``."""
        return self.host[5:] if self.host.startswith("unix:") else None

    @property
    def url(self) -> str:
        """Where the server listens, for people: ``http://127.0.0.1:8080/`` or ``unix:/path``."""
        if self.unix_socket is not None:
            return self.host
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def run(self, handler: WSGIApplication) -> None:
        """Serve the WSGI callable ``handler`` until interrupted (Ctrl-C)."""
        raise NotImplementedError(f"{type(self).__name__} must implement run(handler).")

    def __repr__(self) -> str:
        fields = {"host": self.host, "port": self.port, **self.options}
        return f"{type(self).__name__}({', '.join(f'{key}={value!r}' for key, value in fields.items())})"


def _remove_stale_socket(path: str) -> None:
    """Remove a socket file left by a previous run, so binding does not fail."""
    if os.path.exists(path) and not os.path.isfile(path) and not os.path.isdir(path):
        os.unlink(path)


class WSGIRefServer(ServerAdapter):
    """The standard library's ``wsgiref`` server, one thread per connection: the default,
    for development. It never looks up host names (no reverse DNS) and serves IPv6 hosts.
    A client silent for ``timeout`` seconds (default 30) is dropped, or answered 408 when
    the app was reading its body, so a slow client holds only its own thread.
    Options: ``timeout``; ``handler_class`` and ``server_class`` replace wsgiref's classes
    (as in Bottle)."""

    #: Seconds a connection may stay silent in the middle of a request.
    timeout: float = 30.0

    def run(self, handler: WSGIApplication) -> None:
        """Serve until interrupted."""
        unknown = set(self.options) - {"handler_class", "server_class", "timeout"}
        if unknown:
            raise ServerError(f"The wsgiref server takes no option {', '.join(sorted(unknown))}; it accepts only "
                              "timeout, handler_class and server_class. Pick another server for more settings.")
        unix_socket, host = self.unix_socket, self.host
        read_timeout = float(self.options.get("timeout", self.timeout))
        handler_class, server_class = _wsgiref_classes(self.quiet, read_timeout, unix_socket, host)
        if unix_socket:
            _remove_stale_socket(unix_socket)
        address: Any = unix_socket or (host, self.port)
        server_class = self.options.get("server_class", server_class)
        server = server_class(address, self.options.get("handler_class", handler_class))
        server.set_app(handler)
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            if unix_socket and os.path.exists(unix_socket):
                os.unlink(unix_socket)


def _wsgiref_classes(quiet: bool, read_timeout: float, unix_socket: str | None, host: str) -> tuple[type[Any], type[Any]]:
    """wsgiref's request handler and server, with the read timeout, quiet logging, a full
    listen backlog and Unix sockets."""
    import socketserver
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

    class RequestHandler(WSGIRequestHandler):
        timeout = read_timeout  # socketserver sets it on the connection: every read waits at most this

        def setup(self) -> None:
            super().setup()
            if not isinstance(self.client_address, tuple):  # Unix sockets have no peer address
                self.client_address = ("", 0)

        def address_string(self) -> str:
            return str(self.client_address[0])

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            if not quiet:
                super().log_request(code, size)

    class Server(socketserver.ThreadingMixIn, WSGIServer):
        daemon_threads = True
        # socketserver's listen backlog is 5: a burst of more simultaneous connections
        # (20 browsers' first requests) gets resets. Take what the system allows.
        request_queue_size = socket.SOMAXCONN
        address_family = socket.AF_UNIX if unix_socket else socket.AF_INET6 if ":" in host else socket.AF_INET

        def server_bind(self) -> None:
            socketserver.TCPServer.server_bind(self)  # not HTTPServer's: it resolves the host name
            self.server_name = "localhost" if unix_socket else host
            self.server_port = 80 if unix_socket else self.socket.getsockname()[1]
            self.setup_environ()

    return RequestHandler, Server


class WaitressServer(ServerAdapter):
    """Waitress: a multi-threaded production server in pure Python (``pip install waitress``).
    Options such as ``threads=8`` go to ``waitress.serve``. Defaults that differ from
    waitress' own (:attr:`defaults`): request headers up to 64 KB (431 above), and a
    connection silent for 30 s is closed (checked every 10 s)."""

    package = "waitress"
    #: Options set unless given: waitress accepts 256 KB of headers and waits 120 s by default.
    defaults: dict[str, Any] = {"max_request_header_size": 65536, "channel_timeout": 30, "cleanup_interval": 10}

    def run(self, handler: WSGIApplication) -> None:
        """Serve until interrupted."""
        from waitress import serve

        options = {**self.defaults, **self.options}
        if self.unix_socket:
            _remove_stale_socket(self.unix_socket)
            options["unix_socket"] = self.unix_socket
        else:
            host = f"[{self.host}]" if ":" in self.host else self.host
            options["listen"] = f"{host}:{self.port}"
        serve(handler, _quiet=self.quiet, **options)


class GunicornServer(ServerAdapter):
    """Gunicorn: a pre-fork production server for Unix (``pip install gunicorn``). Options
    are gunicorn settings, e.g. ``workers=4``, ``threads=16``. Its control socket is off
    unless you pass ``control_socket_disable=False``.

    The default worker is not gunicorn's (one synchronous worker, which 50 slow clients
    stop) but its threaded worker with 64 threads and a read timeout of ``timeout`` seconds
    per connection (:mod:`demijohn.gunicorn_worker`); and workers get 10 s, not gunicorn's
    30, to finish on Ctrl-C or a restart before they are killed (a thread waiting on an open
    connection kept Ctrl-C from stopping the server for half a minute); see :attr:`defaults`."""

    package = "gunicorn"
    #: Settings used unless given.
    defaults: dict[str, Any] = {"worker_class": "demijohn.gunicorn_worker.ThreadWorker", "threads": 64,
                                "graceful_timeout": 10}

    def run(self, handler: WSGIApplication) -> None:
        """Serve until interrupted; the workers stop with the master."""
        from gunicorn.app.base import BaseApplication

        if self.unix_socket:
            bind = self.host
        else:
            bind = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        settings: dict[str, Any] = {"bind": bind, **self.defaults, **self.options}
        if self.quiet:
            settings.setdefault("loglevel", "warning")

        class Application(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                if "control_socket_disable" in self.cfg.settings:
                    # recent gunicorn opens one control socket per user by default: two apps would collide
                    settings.setdefault("control_socket_disable", True)
                for key, value in settings.items():
                    if key not in self.cfg.settings:
                        raise ServerError(f"gunicorn has no setting {key!r}; see `gunicorn --help` for the names.")
                    self.cfg.set(key, value)

            def load(self) -> Callable[..., Any]:
                return handler

        try:
            Application().run()
        except SystemExit as stop:  # gunicorn's master exits the process on shutdown
            if stop.code not in (None, 0):
                raise


class CherootServer(ServerAdapter):
    """Cheroot, CherryPy's threaded server (``pip install cheroot``). ``certfile`` and
    ``keyfile`` (and ``chainfile``) turn on TLS; ``max_request_header_size`` limits the
    request headers (64 KB by default, where cheroot has no limit); other options go to
    ``cheroot.wsgi.Server``, with 64 threads and a listen backlog of the system's maximum
    by default (:attr:`defaults`; cheroot's are 10 and 5)."""

    package = "cheroot"
    #: Options set unless given (cheroot's ``timeout``, 10 s per read, is kept).
    defaults: dict[str, Any] = {"numthreads": 64, "request_queue_size": socket.SOMAXCONN,
                                "max_request_header_size": 65536}

    def run(self, handler: WSGIApplication) -> None:
        """Serve until interrupted."""
        from cheroot import wsgi

        options = {**self.defaults, **self.options}
        certfile, keyfile, chainfile = (options.pop(key, None) for key in ("certfile", "keyfile", "chainfile"))
        header_limit = options.pop("max_request_header_size")
        if self.unix_socket:
            _remove_stale_socket(self.unix_socket)
        bind_addr: Any = self.unix_socket or (self.host, self.port)
        try:
            server = wsgi.Server(bind_addr, handler, **options)
        except TypeError as error:
            raise ServerError(f"Bad option for the cheroot server: {error}") from None
        server.max_request_header_size = header_limit
        if certfile and keyfile:
            from cheroot.ssl.builtin import BuiltinSSLAdapter

            server.ssl_adapter = BuiltinSSLAdapter(certfile, keyfile, chainfile)
        # Cheroot serves in a thread of its own: a Ctrl-C landing inside cheroot's loop can leave
        # a worker without its shutdown signal, and stop() then waits for it forever. Here the
        # interrupt lands in our wait, and stop() runs from a known state.
        failures: list[BaseException] = []

        def serve() -> None:
            try:
                server.start()
            except BaseException as error:  # noqa: BLE001 - re-raised in the main thread
                failures.append(error)

        thread = threading.Thread(target=serve, name="cheroot", daemon=True)
        thread.start()
        try:
            while thread.is_alive():
                thread.join(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
            thread.join(10)
        if failures:
            raise failures[0]


class GeventServer(ServerAdapter):
    """gevent's ``pywsgi``: one greenlet per request (``pip install gevent``). Call
    ``gevent.monkey.patch_all()`` before other imports so blocking I/O yields to other
    requests; request state lives in context variables, which are per greenlet."""

    package = "gevent"

    def run(self, handler: WSGIApplication) -> None:
        """Serve until interrupted."""
        from gevent import pywsgi
        from gevent import socket as green_socket

        listener: Any = (self.host, self.port)
        if self.unix_socket:
            _remove_stale_socket(self.unix_socket)
            listener = green_socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(self.unix_socket)
            listener.listen(128)
        options = dict(self.options)
        if self.quiet:
            options.setdefault("log", None)
        server = pywsgi.WSGIServer(listener, handler, **options)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop(timeout=1)


class GranianServer(ServerAdapter):
    """Granian, an HTTP server written in Rust that serves WSGI apps (``pip install granian``):
    the fastest adapter here (``docs/performance.md``). It serves from a worker process it
    forks, so it needs the ``fork`` start method (Linux's default up to Python 3.13); elsewhere
    run ``granian --interface wsgi pkg.mod:app``. Options go to ``granian.Granian``, e.g.
    ``workers=2``; ``blocking_threads`` (the Python threads per worker) keeps granian's default,
    a pool that grows with the load, so one slow request never holds up the others
    (``blocking_threads=1`` is faster for an app that only computes). ``timeout`` is how long
    a client may take to send its request head (30 s); heads over 64 KiB are a 431. granian
    has no read timeout for request bodies: put a proxy that buffers them (nginx) in front."""

    package = "granian"

    def run(self, handler: WSGIApplication) -> None:
        """Serve until interrupted (Ctrl-C or SIGTERM); the worker stops with the server."""
        import multiprocessing
        from pathlib import Path

        from granian import Granian
        from granian.constants import Interfaces

        if multiprocessing.get_start_method() != "fork":
            raise ServerError(f"The granian adapter needs the 'fork' start method, not "
                              f"{multiprocessing.get_start_method()!r}: serve the app with "
                              "`granian --interface wsgi package.module:app` instead.")
        options: dict[str, Any] = {"workers": 1, "websockets": False, **self.options}
        timeout = options.pop("timeout", 30)  # seconds a client may take to send its request head
        if "http1_settings" not in options:
            from granian.http import HTTP1Settings

            options["http1_settings"] = HTTP1Settings(header_read_timeout=int(float(timeout) * 1000),
                                                      max_buffer_size=_MAX_HEAD)
        if options.pop("interface", "wsgi") != "wsgi":
            raise ServerError("The granian adapter serves WSGI apps only; leave out interface=.")
        if self.quiet:
            options.setdefault("log_enabled", False)
        if self.unix_socket:
            _remove_stale_socket(self.unix_socket)
            options["uds"] = Path(self.unix_socket)
        else:
            options.update(address=self.host, port=self.port)
        try:
            server = Granian("demijohn", interface=Interfaces.WSGI, **options)  # the name is a label
        except TypeError as error:
            raise ServerError(f"Bad option for the granian server: {error}") from None
        # Granian handles SIGINT and SIGTERM itself: it stops its worker, then serve() returns.
        wsgi = _granian_wsgi(handler)
        server.serve(target_loader=lambda _target: wsgi)


#: The largest request head granian reads (its buffer): 64 KiB, as the other adapters allow.
_MAX_HEAD = 65536


def _granian_wsgi(handler: Callable[..., Any]) -> Callable[..., Any]:
    """``handler`` for granian, which encodes header text as UTF-8 where PEP 3333 wants latin-1
    strings: a status or header value the app sent as UTF-8 bytes read as latin-1 (what
    ``BaseResponse.headerlist`` does for text beyond ASCII) is handed over as that text, so the
    bytes on the wire are the same as on every other server."""
    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        # A closure, not a functools.partial of a module function, and _wire_text() called only
        # for text beyond ASCII: measured 20-40% less overhead per request (*end-to-end*).
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            for _, value in headers:
                if not value.isascii():
                    headers = [(name, _wire_text(value)) for name, value in headers]
                    break
            return start_response(status if status.isascii() else _wire_text(status), headers, exc_info)

        return handler(environ, start)
    return serve


def _wire_text(value: str) -> str:
    """The text whose UTF-8 bytes ``value`` spells in latin-1; ``value`` itself if it spells none."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


class AutoServer(ServerAdapter):
    """The first adapter of :attr:`adapters` whose package is installed: granian, then
    waitress, cheroot, gunicorn, and wsgiref (always there). The order is by measured
    throughput on one process (``docs/deployment.md``)."""

    adapters: tuple[type[ServerAdapter], ...] = (GranianServer, WaitressServer, CherootServer, GunicornServer,
                                                 WSGIRefServer)

    def choose(self) -> ServerAdapter:
        """The adapter that :meth:`run` will use, configured like this one."""
        for adapter_class in self.adapters:
            if adapter_class.installed():
                adapter = adapter_class(self.host, self.port, **self.options)
                adapter.quiet = self.quiet
                return adapter
        raise ServerError("No server adapter is installed; pip install waitress.")  # pragma: no cover

    def run(self, handler: WSGIApplication) -> None:
        """Serve with the chosen adapter until interrupted."""
        self.choose().run(handler)


#: Server names accepted by ``run(server=...)`` and ``--server``, mapped to their adapters
#: (Bottle's other adapters as ``'demijohn.adapters:Class'``, imported when first chosen).
server_names: dict[str, type[ServerAdapter] | str] = {
    "wsgiref": WSGIRefServer,
    "waitress": WaitressServer,
    "gunicorn": GunicornServer,
    "cheroot": CherootServer,
    "gevent": GeventServer,
    "granian": GranianServer,
    "auto": AutoServer,
    **{name: f"demijohn.adapters:{adapter}" for name, adapter in (
        ("cgi", "CGIServer"), ("flup", "FlupFCGIServer"), ("paste", "PasteServer"), ("tornado", "TornadoServer"),
        ("twisted", "TwistedServer"), ("eventlet", "EventletServer"), ("bjoern", "BjoernServer"),
        ("aiohttp", "AiohttpServer"), ("uvloop", "AiohttpUVLoopServer"), ("cherrypy", "CherryPyServer"),
        ("fapws3", "FapwsServer"), ("diesel", "DieselServer"), ("meinheld", "MeinheldServer"),
        ("gae", "AppEngineServer"))},
}


def make_server(server: str | type[ServerAdapter] | ServerAdapter = "wsgiref", host: str = "127.0.0.1",
                port: int | str = 8080, **options: Any) -> ServerAdapter:
    """The adapter for ``server``: a name from :data:`server_names`, an adapter class, an
    instance (used as it is), or a ``'pkg.mod:Class'`` string. Checks that its package is
    installed, so a missing one is reported before anything starts."""
    chosen: Any = server_names.get(server, server) if isinstance(server, str) else server
    if isinstance(chosen, str):
        if ":" in chosen:
            from .loading import load

            chosen = load(chosen)
        else:
            raise ServerError(f"Unknown server {server!r}: use one of {', '.join(sorted(server_names))}, "
                              "a ServerAdapter class, or a 'package.module:Class' string.")
    if isinstance(chosen, type) and issubclass(chosen, ServerAdapter):
        chosen = chosen(host=host, port=port, **options)
    if not isinstance(chosen, ServerAdapter):
        raise ServerError(f"Unsupported server {server!r}: it is not a ServerAdapter (subclass or instance).")
    chosen.check()
    return chosen
