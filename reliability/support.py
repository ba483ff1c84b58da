"""Helpers for the in-process reliability tests: a strict WSGI call and a signed-up client."""

from __future__ import annotations

import io
import re
import sys
from typing import Any, Callable

from demijohn.testing import Client

_STATUS_LINE = re.compile(r"^[1-5]\d\d [^\r\n]*$")
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


class Answer:
    """What a WSGI app answered to one environ: status code, headers, body."""

    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.status_code = int(status[:3])
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def __repr__(self) -> str:
        return f"<Answer {self.status} {self.body[:200]!r}>"


def environ_for(method: str = "GET", path: str = "/", query: str = "", body: bytes = b"",
                **extra: Any) -> dict[str, Any]:
    """A minimal, valid WSGI environ; ``extra`` adds or overrides keys (``HTTP_COOKIE=...``)."""
    env: dict[str, Any] = {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
    }
    if body:
        env["CONTENT_LENGTH"] = str(len(body))
    env.update(extra)
    return env


def call_wsgi(app: Callable[..., Any], environ: dict[str, Any]) -> Answer:
    """Call ``app`` like a server would and check the answer is well-formed HTTP: a valid
    status line, header names that are tokens, values without CR/LF/NUL, a body of bytes,
    ``close()`` called. Any exception the app lets escape propagates to the test."""
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        assert isinstance(status, str) and _STATUS_LINE.match(status), f"malformed status line {status!r}"
        for name, value in headers:
            assert isinstance(name, str) and _TOKEN.match(name), f"malformed header name {name!r}"
            assert isinstance(value, str), f"header {name} value is not a str: {value!r}"
            assert not any(char in value for char in "\r\n\0"), f"header {name} carries CR/LF/NUL: {value!r}"
            value.encode("latin-1")  # a WSGI header value must be latin-1
        captured["status"], captured["headers"] = status, headers
        return lambda chunk: None

    result = app(environ, start_response)
    try:
        chunks = list(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    assert all(isinstance(chunk, bytes) for chunk in chunks), "the body has a chunk that is not bytes"
    assert "status" in captured, "start_response was never called"
    return Answer(captured["status"], captured["headers"], b"".join(chunks))


def csrf(page_text: str) -> str:
    """The CSRF token in a rendered form of the notes app."""
    found = re.search(r'name="csrf" value="([^"]+)"', page_text)
    assert found, "the page has no CSRF token"
    return found.group(1)


def signed_up(app: Any, username: str, password: str = "correct horse") -> Client:
    """A test client signed up (and so logged in) to the notes app as ``username``."""
    client = Client(app)
    token = csrf(client.get("/signup").text)
    answer = client.post("/signup", data={"csrf": token, "username": username, "password": password})
    assert answer.status_code == 303, answer.text
    return client
