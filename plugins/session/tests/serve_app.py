"""A session app served by wsgiref, for the multi-process tests.

Usage: ``python serve_app.py REDIS_URL PREFIX`` (the secret comes from SESSION_SECRET).
Prints the port it listens on (a free one the OS picked), then serves until terminated.
"""

from __future__ import annotations

import os
import sys
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from demijohn import App, request

from demijohn_session import RedisBackend, Session, SessionPlugin


class QuietHandler(WSGIRequestHandler):
    """No access log on stderr: the test reads nothing from it."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def build_app(redis_url: str, prefix: str, secret: str) -> App:
    app = App()
    app.install(SessionPlugin(RedisBackend(redis_url, prefix, 300, secret_or_secrets=secret)))

    @app.get("/set")
    def set_value(session: Session) -> dict[str, Any]:
        session[request.query.key] = request.query.value
        return {"pid": os.getpid()}

    @app.get("/get")
    def get_value(session: Session) -> dict[str, Any]:
        return {"pid": os.getpid(), "value": session.get(request.query.key)}

    @app.get("/optional", session={"required": False})
    def optional(session: Session) -> dict[str, Any]:
        return {"pid": os.getpid(), "value": session.get(request.query.key)}

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"pid": os.getpid()}

    return app


def main() -> None:
    redis_url, prefix = sys.argv[1], sys.argv[2]
    server = make_server("127.0.0.1", 0, build_app(redis_url, prefix, os.environ["SESSION_SECRET"]), handler_class=QuietHandler)
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
