"""A tiny app served by wsgiref, for the two-process test: `python cache_server.py URL PREFIX`.

It binds a free loopback port, prints it on one line, and serves until terminated.
"""

from __future__ import annotations

import os
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

from demijohn import App
from demijohn_cache import CachePlugin, RedisBackend


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def build_app(redis_url: str, prefix: str) -> App:
    app = App()
    app.install(CachePlugin(RedisBackend(redis_url, prefix=prefix), ttl=60))

    @app.get("/who", cache=True)
    def who() -> dict:
        return {"pid": os.getpid()}

    return app


def main() -> None:
    redis_url, prefix = sys.argv[1], sys.argv[2]
    server = make_server("127.0.0.1", 0, build_app(redis_url, prefix), handler_class=QuietHandler)
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
