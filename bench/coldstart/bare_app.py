"""Cold start: a bare WSGI callable served with wsgiref (the floor: Python and wsgiref)."""

import sys
from wsgiref.simple_server import make_server


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
    return [b"Hello, World!"]


if __name__ == "__main__":
    with make_server("127.0.0.1", int(sys.argv[1]), app) as server:
        server.serve_forever()
