"""The app the wire tests serve: each route hands a request value to the API under test."""

from __future__ import annotations

from demijohn import App, redirect, request, response

app = App()


@app.get("/")
def index() -> str:
    return "ok"


@app.get("/cookie")
def cookie() -> str:
    response.set_cookie("c", "v", **{request.query.option: request.query.value})
    return "cookie set"


@app.get("/header")
def header() -> str:
    response.set_header(request.query.name or "X-Echo", request.query.value)
    return "header set"


@app.get("/redirect")
def go() -> None:
    redirect(request.query.to)


@app.post("/echo")
def echo() -> bytes:
    return request.body.read()
