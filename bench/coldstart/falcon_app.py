"""Cold start: Falcon's hello app, served as Falcon's tutorial does it (wsgiref, no CLI)."""

import sys
from wsgiref.simple_server import make_server

import falcon


class Hello:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "Hello, World!"


app = falcon.App()
app.add_route("/", Hello())

if __name__ == "__main__":
    with make_server("127.0.0.1", int(sys.argv[1]), app) as server:
        server.serve_forever()
