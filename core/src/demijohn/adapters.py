"""The other server adapters Bottle 0.13 names: CGI, FastCGI (flup), Paste, Tornado, Twisted,
eventlet, bjoern, aiohttp (with or without uvloop), CherryPy, and the servers whose
packages no longer install on Python 3.10+ (fapws3, diesel, meinheld, Google App Engine's
Python 2 runtime), which refuse with a clear message instead.

:data:`demijohn.server_names` lists them under Bottle's names (``run(server='tornado')``);
this module is imported when one of them is first chosen. For production, :mod:`demijohn.server`'s waitress, gunicorn and
cheroot adapters are the tested choices.
"""

from __future__ import annotations

import asyncio
import warnings
from typing import TYPE_CHECKING, Any, Callable

from .server import CherootServer, ServerAdapter, ServerError

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


class CGIServer(ServerAdapter):
    """Answers one request as a CGI script (``wsgiref.handlers.CGIHandler``), for a web
    server that starts a process per request; ``host`` and ``port`` are not used."""

    quiet = True

    def run(self, handler: WSGIApplication) -> None:
        """Answer the request described by this process's environment, on stdin/stdout."""
        from wsgiref.handlers import CGIHandler

        def with_path_info(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            environ.setdefault("PATH_INFO", "")  # CGI leaves it out for the script's own URL
            return handler(environ, start_response)

        CGIHandler().run(with_path_info)


class FlupFCGIServer(ServerAdapter):
    """A FastCGI server (``pip install flup``) behind a web server such as nginx; options go
    to ``flup.server.fcgi.WSGIServer`` (``bindAddress`` defaults to host and port, or the
    Unix socket)."""

    package = "flup"

    def run(self, handler: WSGIApplication) -> None:
        """Serve FastCGI until interrupted."""
        from flup.server.fcgi import WSGIServer

        options = dict(self.options)
        options.setdefault("bindAddress", self.unix_socket or (self.host, self.port))
        WSGIServer(handler, **options).run()


class PasteServer(ServerAdapter):
    """Paste's threaded HTTP server (``pip install paste``); options go to
    ``paste.httpserver.serve``."""

    package = "paste"

    def run(self, handler: WSGIApplication) -> None:
        """Serve until interrupted."""
        from paste import httpserver

        app = handler
        if not self.quiet:
            from paste.translogger import TransLogger

            app = TransLogger(handler)
        try:
            httpserver.serve(app, host=self.host, port=str(self.port), **self.options)
        except KeyboardInterrupt:
            pass


class TornadoServer(ServerAdapter):
    """Tornado's HTTP server running the app in its ``WSGIContainer`` (``pip install
    tornado``): one request at a time, for apps that live next to Tornado code."""

    package = "tornado"

    def run(self, handler: WSGIApplication) -> None:
        """Serve until interrupted."""
        from tornado.httpserver import HTTPServer
        from tornado.wsgi import WSGIContainer

        async def serve() -> None:
            server = HTTPServer(WSGIContainer(handler), **self.options)
            server.listen(self.port, address=self.host)
            await asyncio.Event().wait()

        try:
            asyncio.run(serve())
        except KeyboardInterrupt:
            pass


class TwistedServer(ServerAdapter):
    """Twisted Web's WSGI resource on a thread pool (``pip install twisted``)."""

    package = "twisted"

    def run(self, handler: WSGIApplication) -> None:
        """Serve until the reactor stops (Ctrl-C)."""
        from twisted.internet import reactor
        from twisted.python.threadpool import ThreadPool
        from twisted.web import server, wsgi

        pool = ThreadPool()
        pool.start()
        reactor.addSystemEventTrigger("after", "shutdown", pool.stop)
        site = server.Site(wsgi.WSGIResource(reactor, pool, handler))
        reactor.listenTCP(self.port, site, interface=self.host)
        if not reactor.running:
            reactor.run()


class EventletServer(ServerAdapter):
    """eventlet's green WSGI server (``pip install eventlet``): call
    ``eventlet.monkey_patch()`` first so blocking I/O yields; options go to
    ``eventlet.wsgi.server``."""

    package = "eventlet"

    def run(self, handler: WSGIApplication) -> None:
        """Serve until interrupted."""
        from eventlet import listen, patcher, wsgi

        if not patcher.is_monkey_patched("socket"):
            warnings.warn("eventlet is not monkey-patched: call eventlet.monkey_patch() before other imports, or "
                          "requests block each other.", RuntimeWarning, stacklevel=2)
        options = dict(self.options)
        options.setdefault("log_output", not self.quiet)
        try:
            wsgi.server(listen((self.host, self.port)), handler, **options)
        except KeyboardInterrupt:
            pass


class BjoernServer(ServerAdapter):
    """bjoern, a small server in C on libev (``pip install bjoern``, which needs libev)."""

    package = "bjoern"

    def run(self, handler: WSGIApplication) -> None:
        """Serve until interrupted."""
        import bjoern

        bjoern.run(handler, self.host, self.port, **self.options)


class AsyncioServerAdapter(ServerAdapter):
    """Base of the adapters that serve on an asyncio event loop: :meth:`get_event_loop`
    makes the loop they run."""

    def get_event_loop(self) -> asyncio.AbstractEventLoop:
        """A new event loop for the server."""
        return asyncio.new_event_loop()


class AiohttpServer(AsyncioServerAdapter):
    """aiohttp's server running the app in threads through ``aiohttp_wsgi``
    (``pip install aiohttp-wsgi``)."""

    package = "aiohttp_wsgi"

    def run(self, handler: WSGIApplication) -> None:
        """Serve until interrupted."""
        from aiohttp import web
        from aiohttp_wsgi import WSGIHandler

        loop = self.get_event_loop()
        asyncio.set_event_loop(loop)
        app = web.Application()
        app.router.add_route("*", "/{path_info:.*}", WSGIHandler(handler))
        web.run_app(app, host=self.host, port=self.port, loop=loop, print=None if self.quiet else print,
                    **self.options)


class AiohttpUVLoopServer(AiohttpServer):
    """:class:`AiohttpServer` on uvloop's faster event loop (``pip install uvloop aiohttp-wsgi``)."""

    def get_event_loop(self) -> asyncio.AbstractEventLoop:
        """A new uvloop event loop."""
        import uvloop

        return uvloop.new_event_loop()  # type: ignore[no-any-return]


class CherryPyServer(CherootServer):
    """Bottle's old name for the cheroot adapter (CherryPy's server moved to cheroot):
    deprecated, as in Bottle; use ``server='cheroot'``."""

    def run(self, handler: WSGIApplication) -> None:
        """Serve with cheroot until interrupted."""
        warnings.warn("The 'cherrypy' server adapter is deprecated: use server='cheroot' (CherryPy's server is "
                      "the cheroot package now).", DeprecationWarning, stacklevel=2)
        super().run(handler)


class _Unavailable(ServerAdapter):
    """An adapter for a server whose package does not install on Python 3.10+."""

    why = ""

    @classmethod
    def installed(cls) -> bool:
        """Never: the package does not exist for this Python."""
        return False

    def check(self) -> None:
        """Refuse, saying why and what to use instead."""
        raise ServerError(f"The {type(self).__name__} adapter cannot run: {self.why} Use waitress, gunicorn or "
                          "cheroot (server='auto' picks one that is installed).")

    def run(self, handler: WSGIApplication) -> None:
        """Refuse (see :meth:`check`)."""
        self.check()


class FapwsServer(_Unavailable):
    """fapws3: a Python 2 server that does not install on Python 3."""

    why = "fapws3 supports Python 2 only and does not install on Python 3."


class DieselServer(_Unavailable):
    """diesel: a Python 2 server that does not install on Python 3."""

    why = "diesel supports Python 2 only and does not install on Python 3."


class MeinheldServer(_Unavailable):
    """meinheld: unmaintained since 2020; it does not build on Python 3.10+."""

    why = "meinheld is unmaintained and does not build on Python 3.10 or newer."


class AppEngineServer(_Unavailable):
    """Google App Engine's Python 2 runtime; App Engine's Python 3 runtimes run any WSGI app
    under gunicorn (name ``app`` in ``main.py``)."""

    why = ("Google App Engine's Python 2 runtime (google.appengine.ext.webapp) is gone; App Engine's Python 3 "
           "runtimes serve `app` from main.py with gunicorn.")


__all__ = ["AiohttpServer", "AiohttpUVLoopServer", "AppEngineServer", "AsyncioServerAdapter", "BjoernServer",
           "CGIServer", "CherryPyServer", "DieselServer", "EventletServer", "FapwsServer",
           "FlupFCGIServer", "MeinheldServer", "PasteServer", "TornadoServer", "TwistedServer"]
