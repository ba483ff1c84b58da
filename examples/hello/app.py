"""The smallest demijohn app: run it with `make demo` (or `python examples/hello/app.py`)
and open http://127.0.0.1:8080/hello/world."""

from demijohn import App, request

app = App()


@app.get("/")
def index() -> str:
    """A page linking to the other routes."""
    return '<h1>demijohn</h1><p>Try <a href="/hello/world">/hello/world</a> or <a href="/api/add?a=2&b=3">/api/add</a>.</p>'


@app.get("/hello/<name>")
def hello(name: str) -> str:
    """Greet ``name``."""
    return f"<p>Hello, {name}!</p>"


@app.get("/api/add")
def add() -> dict[str, int]:
    """Add the query parameters ``a`` and ``b``; the JSON plugin serialises the dict."""
    a, b = request.query.get("a", 0, type=int), request.query.get("b", 0, type=int)
    return {"a": a, "b": b, "sum": a + b}


if __name__ == "__main__":
    from wsgiref.simple_server import make_server

    print("demijohn demo on http://127.0.0.1:8080/ (Ctrl-C to stop)")
    make_server("127.0.0.1", 8080, app).serve_forever()
