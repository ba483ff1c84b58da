"""A test client that calls a WSGI app in-process: no server, no sockets.

>>> from demijohn import App
>>> app = App()
>>> _ = app.get('/hi')(lambda: 'hi')
>>> Client(app).get('/hi').text
'hi'
"""

from __future__ import annotations

import io
import json as jsonlib
import sys
from http.cookies import SimpleCookie
from typing import Any, Callable
from urllib.parse import unquote_to_bytes, urlencode

from ..datastructures import HeaderDict


class TestResponse:
    """What the app answered: ``status`` (``'200 OK'``), ``status_code``, ``headers``
    (case-insensitive; ``headers.getall('Set-Cookie')``), ``body`` (bytes), ``text``, ``json``."""

    __test__ = False  # not a pytest test class

    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.status_code = int(status.split(None, 1)[0])
        self.headerlist = headers
        self.headers = HeaderDict()
        for name, value in headers:
            self.headers.append(name, value)
        self.body = body

    @property
    def text(self) -> str:
        """The body decoded as UTF-8."""
        return self.body.decode("utf-8")

    @property
    def json(self) -> Any:
        """The body parsed as JSON."""
        return jsonlib.loads(self.body)

    def __repr__(self) -> str:
        return f"<TestResponse {self.status}>"


class Client:
    """Calls ``app`` like a WSGI server would and returns :class:`TestResponse` objects.
    Cookies the app sets are kept and sent back on later calls (``client.cookies``)."""

    __test__ = False

    def __init__(self, app: Callable[..., Any], base_environ: dict[str, Any] | None = None) -> None:
        self.app = app
        self.base_environ = base_environ or {}
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, query: dict[str, Any] | None = None, data: Any = None,
                json: Any = None, headers: dict[str, str] | None = None,
                environ: dict[str, Any] | None = None) -> TestResponse:
        """Send one request. ``data`` is a dict (sent urlencoded), str or bytes; ``json``
        is serialised with ``Content-Type: application/json``; ``environ`` overrides keys."""
        path, _, query_string = path.partition("?")
        if query:
            query_string = "&".join(filter(None, [query_string, urlencode(query, doseq=True)]))
        body, content_type = self._encode_body(data, json)
        env = self._environ(method.upper(), path, query_string, body)
        if content_type:
            env["CONTENT_TYPE"] = content_type
        for name, value in (headers or {}).items():
            key = name.upper().replace("-", "_")
            env[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key] = value
        env.update(environ or {})
        return self._call(env)

    @staticmethod
    def _encode_body(data: Any, json: Any) -> tuple[bytes, str | None]:
        if json is not None:
            return jsonlib.dumps(json).encode(), "application/json"
        if isinstance(data, dict):
            return urlencode(data, doseq=True).encode(), "application/x-www-form-urlencoded"
        if isinstance(data, str):
            return data.encode(), None
        return (data or b""), None

    def _environ(self, method: str, path: str, query_string: str, body: bytes) -> dict[str, Any]:
        env: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path.encode("utf-8")).decode("latin-1"),
            "QUERY_STRING": query_string,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "localhost",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        if body:
            env["CONTENT_LENGTH"] = str(len(body))
        if self.cookies:
            env["HTTP_COOKIE"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        env.update(self.base_environ)
        return env

    def _call(self, environ: dict[str, Any]) -> TestResponse:
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, headers
            return lambda chunk: None

        result = self.app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        answer = TestResponse(captured["status"], captured["headers"], body)
        self._keep_cookies(answer)
        return answer

    def _keep_cookies(self, answer: TestResponse) -> None:
        for header in answer.headers.getall("Set-Cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                max_age = morsel["max-age"]
                if max_age and int(max_age) <= 0 or morsel.value == "" and morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.coded_value

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        """Send a GET request."""
        return self.request("GET", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> TestResponse:
        """Send a HEAD request."""
        return self.request("HEAD", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        """Send a POST request."""
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> TestResponse:
        """Send a PUT request."""
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> TestResponse:
        """Send a PATCH request."""
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        """Send a DELETE request."""
        return self.request("DELETE", path, **kwargs)
