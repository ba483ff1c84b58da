"""The app the wire tests serve: each route hands a request value to the API under test."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from demijohn import App, redirect, request, response, static_file

PUBLIC = Path(__file__).resolve().parent / "static_root" / "public"  # static_root/secret.txt is outside it
app = App()


@app.get("/")
def index() -> str:
    return "ok"


@app.get("/process-group")
def process_group() -> str:
    """The server's process group: the harness checks the port it talks to is its own server's."""
    return str(os.getpgrp())


@app.get("/cookie")
def cookie() -> str:
    response.set_cookie("c", "v", **{request.query.option: request.query.value})
    return "cookie set"


@app.get("/cookie-value")
def cookie_value() -> str:
    response.set_cookie("c", request.query.value)
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


@app.get("/static/<path:path>")
def static(path: str) -> Any:
    return static_file(path, root=PUBLIC)
