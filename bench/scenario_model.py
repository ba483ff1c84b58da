"""What a benchmark scenario is: a route table, one request and the answer it must get."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

JSON_BODY = {"message": "Hello, World!", "framework": "any", "items": [1, 2, 3]}


@dataclass(frozen=True)
class Scenario:
    """One route table, one request, and what the answer must be."""

    name: str
    title: str
    routes: tuple[str, ...]  # neutral rules, registered in this order
    target: str  # the rule whose handler is `kind`
    kind: str  # hello | user | json | request, or an idiom's name (see idioms.py)
    path: str
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    status: int = 200
    body: bytes | None = None  # expected body (None: do not check; `json`: parsed)
    plugins: tuple[str, int] | None = None  # ("nowrap" | "wrap", count)
    match_only: bool = False  # time the router's match alone, not the request
    extra: dict[str, Any] = field(default_factory=dict)
    method: str = "GET"
    data: bytes = b""  # the request body (a fresh wsgi.input per request)
    content_type: str = ""
    expect_headers: tuple[tuple[str, str], ...] = ()  # (name, a substring of its value)
    # A first request made once, before timing, whose answer completes the timed request:
    # "etag" sends its ETag back as If-None-Match, "cookie" its Set-Cookie values as
    # Cookie, "warm" only fills a cache. `prime_path` is its path (default: `path`).
    prime: str | None = None
    prime_path: str | None = None
    group: str = "core"  # "core" (the original scenarios) or "idiom" (what users write)

    def check_body(self, body: bytes) -> bool:
        """Tell whether a response body is the one this scenario expects."""
        if self.kind == "json" and self.status == 200:
            try:
                return json.loads(body) == JSON_BODY
            except ValueError:
                return False
        if self.body is not None and self.extra.get("strip"):
            return body.strip() == self.body.strip()
        return self.body is None or body == self.body

    def check_headers(self, headers: list[tuple[str, str]]) -> str | None:
        """Why the response headers miss one this scenario expects, or None."""
        for name, wanted in self.expect_headers:
            values = [value for key, value in headers if key.lower() == name.lower()]
            if not any(wanted in value for value in values):
                return f"no {name} header containing {wanted!r} (got {values!r})"
        return None


class NotApplicable(Exception):
    """Raised by an app module for a scenario its framework has no equivalent for."""
