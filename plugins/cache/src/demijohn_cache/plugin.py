"""The cache plugin: whole GET/HEAD answers stored per key, one computation per key at a time."""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar, overload

from demijohn import (App, HTTPError, HTTPResponse, JSONPlugin, Route, TemplatePlugin, claim_keyword, materialize, request,
                      response, route_option)
from demijohn.proxy import origin_of

from ._entries import Entry, etag_for, etag_matches, forbids_storing, vary_names
from ._health import Health
from ._keys import decode_variants, digest, encode_variants, full_path, origin, primary_key, variant_key
from ._options import (
    DEFAULT_STATUSES,
    ROUTE_OPTIONS,
    KeyFunction,
    RouteCache,
    check_key,
    check_names,
    check_statuses,
    check_ttl,
    resolve_route_option,
)
from .backends import Backend, CacheBackendError, MemoryBackend

__all__ = ["CachePlugin"]

T = TypeVar("T")


class Serializer(Protocol):
    """What `memoize(serializer=...)` needs: the `json` module, `pickle` for trusted data..."""

    def dumps(self, obj: Any, /) -> str | bytes:
        """The stored form of a result."""

    def loads(self, data: bytes, /) -> Any:
        """The result back from its stored form; `ValueError` when it cannot be read."""

# The plugins that turn a result into a str: the cache applies them inside itself.
SHAPING_PLUGINS = (JSONPlugin, TemplatePlugin)

# Decoded entries kept per plugin, and the largest stored size worth keeping decoded.
DECODED_ENTRIES = 256
DECODED_MAX_BYTES = 64 * 1024


class _Varies(Exception):
    """Raised while waiting on a primary key that turned out to hold a variants marker."""

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__(names)
        self.names = names


class CachePlugin:
    """Caches whole GET/HEAD responses of the routes that opt in with `cache=...`.

    `@app.get('/x', cache=True)` uses the plugin's defaults; `cache={'ttl': 30,
    'vary': ['Accept-Language'], 'tags': ['items'], 'key': fn, 'statuses': [200],
    'authorization': True}` overrides them for one route; `cache=False` opts a route
    out when `all_routes=True`. Responses carry `ETag`, `Cache-Control: max-age` and
    an `X-Cache: HIT|MISS` header (renamed or removed with `header=`); a matching
    `If-None-Match` answers 304. When the backend fails, requests are served uncached
    and caching resumes by itself.
    """

    name = "cache"
    api = 2
    keyword = "cache"

    def __init__(
        self,
        backend: Backend | None = None,
        ttl: float = 60,
        vary: Iterable[str] = (),
        key: KeyFunction | None = None,
        *,
        statuses: Iterable[int] = DEFAULT_STATUSES,
        header: str | None = "X-Cache",
        all_routes: bool = False,
        lock_timeout: float = 10.0,
        lock_wait: float = 5.0,
        retry_interval: float = 1.0,
    ) -> None:
        self.backend: Backend = backend if backend is not None else MemoryBackend()
        self.ttl = check_ttl(ttl, "CachePlugin(ttl=...)")
        self.vary = check_names(vary, "CachePlugin(vary=...)")
        self.key = check_key(key, "CachePlugin(key=...)")
        self.statuses = check_statuses(statuses, "CachePlugin(statuses=...)")
        self.header = header
        self.all_routes = bool(all_routes)
        self.lock_timeout = check_ttl(lock_timeout, "CachePlugin(lock_timeout=...)")
        self.lock_wait = check_ttl(lock_wait, "CachePlugin(lock_wait=...)")
        self._health = Health(retry_interval)
        # Decoded entries by key, so a hit on unchanged bytes skips the JSON decoding.
        self._decoded: dict[str, tuple[bytes, Entry]] = {}

    # -- plugin protocol -------------------------------------------------------------

    def setup(self, app: App) -> None:
        """Refuse a second plugin that claims the `cache` route keyword."""
        claim_keyword(app, self)

    def apply(self, callback: Callable[..., Any], route: Route) -> Callable[..., Any]:
        """Wrap GET/HEAD routes that opt in; return every other callback unchanged."""
        settings = self._route_settings(route)
        if settings is None:
            return callback
        render = self._render_inside(callback, route)

        @functools.wraps(callback)
        def cached(*args: Any, **kwargs: Any) -> Any:
            if request.method not in ("GET", "HEAD") or (
                not settings.authorization and "HTTP_AUTHORIZATION" in request.environ
            ):
                return callback(*args, **kwargs)
            return self._serve(self._response_key(settings), settings, lambda: render(*args, **kwargs))

        return cached

    def close(self) -> None:
        """Free the backend's connections."""
        self.backend.close()

    # -- public helpers --------------------------------------------------------------

    def invalidate(self, path: str | None = None, tags: Iterable[str] = ()) -> int:
        """Drop the cached responses of `path` (every query and variant) and of `tags`.

        Returns how many entries were dropped. Raises `CacheBackendError` when the
        backend cannot be reached, because silently keeping stale entries is worse.
        """
        if isinstance(tags, str):
            raise TypeError(f"invalidate(tags={tags!r}): pass a list of tags, not one str")
        names = [f"tag:{tag}" for tag in tags]
        if path is not None:
            names.append(f"path:{path}")
        return self.backend.invalidate_tags(names)

    def clear(self) -> None:
        """Drop every entry of the backend (under its prefix, for Redis)."""
        self.backend.clear()

    @overload
    def memoize(self, func: Callable[..., T], *, ttl: float | None = None, tags: Iterable[str] = (),
                serializer: Serializer = json) -> Callable[..., T]: ...

    @overload
    def memoize(self, func: None = None, *, ttl: float | None = None, tags: Iterable[str] = (),
                serializer: Serializer = json) -> Callable[[Callable[..., T]], Callable[..., T]]: ...

    def memoize(
        self,
        func: Callable[..., T] | None = None,
        *,
        ttl: float | None = None,
        tags: Iterable[str] = (),
        serializer: Serializer = json,
    ) -> Callable[..., T] | Callable[[Callable[..., T]], Callable[..., T]]:
        """Cache a plain function's results in the plugin's backend, keyed by its arguments.

        Use as `@plugin.memoize` or `@plugin.memoize(ttl=30, tags=['users'])`. Arguments
        are keyed by their `repr`; results go through `serializer.dumps`/`loads` (JSON by
        default, so tuples come back as lists). `fn.invalidate(*args, **kwargs)` drops
        one result.
        """
        lifetime = self.ttl if ttl is None else check_ttl(ttl, "memoize(ttl=...)")
        tag_names = tuple(f"tag:{tag}" for tag in check_names(tags, "memoize(tags=...)"))

        def decorate(fn: Callable[..., T]) -> Callable[..., T]:
            scope = f"m:{fn.__module__}.{fn.__qualname__}:"

            def key_for(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
                raw = repr((args, sorted(kwargs.items())))
                return scope + hashlib.blake2b(raw.encode(), digest_size=20).hexdigest()

            def load(key: str, raw: bytes) -> tuple[T] | None:
                try:
                    return (serializer.loads(raw),)
                except ValueError:
                    return None

            def run(key: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[T]:
                value = fn(*args, **kwargs)
                try:
                    data = serializer.dumps(value)
                except (TypeError, ValueError) as error:
                    raise TypeError(
                        f"memoize: the result of {fn.__qualname__}() cannot be stored "
                        f"({error}); return serialisable data or pass serializer=..."
                    ) from error
                self._store(key, data if isinstance(data, bytes) else data.encode(), lifetime, tag_names)
                return (value,)

            @functools.wraps(fn)
            def memoized(*args: Any, **kwargs: Any) -> T:
                key = key_for(args, kwargs)
                return self._lookup_or_run(key, load, lambda: run(key, args, kwargs))[0]

            memoized.invalidate = lambda *a, **kw: self.backend.delete(key_for(a, kw))  # type: ignore[attr-defined]
            return memoized

        return decorate(func) if func is not None else decorate

    # -- the request path ------------------------------------------------------------

    def _route_settings(self, route: Route) -> RouteCache | None:
        if route.method not in ("GET", "HEAD", "ANY"):
            return None
        option = route_option(route, self.keyword, ROUTE_OPTIONS, missing=self.all_routes, plugin=self)
        if option is None:
            return None
        return resolve_route_option(option, f"route {route.method} {route.rule!r}: cache=", self)

    def _render_inside(self, callback: Callable[..., Any], route: Route) -> Callable[..., Any]:
        """`callback`, with the result-shaping plugins that wrap this plugin (the route's
        JSON and template plugins) applied inside it: the cache then stores the answer that
        is sent (the JSON the app's `json_dumps` makes, the rendered page), and those outer
        plugins pass the str it returns through unchanged."""
        plan = list(route.all_plugins())  # innermost first
        outer = plan[plan.index(self) + 1:] if self in plan else []
        for plugin in outer:
            if isinstance(plugin, SHAPING_PLUGINS):
                callback = plugin.apply(callback, route)
        return callback

    def _response_key(self, settings: RouteCache) -> str:
        if settings.key is None:
            environ = request.environ
            return primary_key(request.method, origin(*origin_of(environ)), environ, settings.vary)
        raw = settings.key(request)
        if not isinstance(raw, str):
            raise TypeError(f"cache key function {settings.key!r} returned {raw!r}; return a str")
        return "r:" + digest(raw)

    def _serve(self, primary: str, settings: RouteCache, call: Callable[[], Any]) -> Any:
        """Answer from the entry under `primary`, or from this request's variant when a
        marker there says the route's answers vary on more headers; else run `call` once
        per key (see `_wait_or_run`) and store its answer."""
        raw = self._backend_call(self.backend.get, primary)
        names = None if raw is None else decode_variants(raw)
        if names is None:
            if raw is not None:
                found = self._answer_hit(primary, raw)
                if found is not None:
                    return found
            try:
                return self._wait_or_run(
                    primary, self._answer_or_switch,
                    lambda: self._store_and_answer(primary, (), settings, call()),
                )
            except _Varies as varies:  # a marker appeared while we waited: wait on our variant
                names = varies.names
        known = names
        return self._lookup_or_run(
            variant_key(primary, known, request.environ), self._answer_hit,
            lambda: self._store_and_answer(primary, known, settings, call()),
        )

    def _answer_or_switch(self, key: str, raw: bytes) -> HTTPResponse | None:
        """`_answer_hit` for a primary key, raising `_Varies` when it holds a marker."""
        names = decode_variants(raw)
        if names is not None:
            raise _Varies(names)
        return self._answer_hit(key, raw)

    def _lookup_or_run(self, key: str, use: Callable[[str, bytes], T | None], run: Callable[[], T]) -> T:
        """Serve from the cache, or run once per key while concurrent missers wait."""
        raw = self._backend_call(self.backend.get, key)
        if raw is not None:
            found = use(key, raw)
            if found is not None:
                return found
        return self._wait_or_run(key, use, run)

    def _wait_or_run(self, key: str, use: Callable[[str, bytes], T | None], run: Callable[[], T]) -> T:
        """Take `key`'s lock (waiting while another request fills the entry) and run."""
        token = self._backend_call(self.backend.acquire, key, self.lock_timeout, 0)
        if token is None and self._health.available():
            # Someone else is computing this entry: wait for the lock or for the entry,
            # checking both with a growing step, then serve fresh once lock_wait is over.
            deadline = time.monotonic() + self.lock_wait
            step = 0.002
            while token is None and self._health.available():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                token = self._backend_call(self.backend.acquire, key, self.lock_timeout, min(step, remaining))
                if token is None:
                    raw = self._backend_call(self.backend.get, key)
                    found = None if raw is None else use(key, raw)
                    if found is not None:
                        return found
                step = min(step * 2, 0.05)
        try:
            if token is not None:
                # Another request may have filled the entry while we waited for the lock.
                raw = self._backend_call(self.backend.get, key)
                if raw is not None:
                    found = use(key, raw)
                    if found is not None:
                        return found
            return run()
        finally:
            if token is not None:
                self._backend_call(self.backend.release, key, token)

    def _answer_hit(self, key: str, raw: bytes) -> HTTPResponse | None:
        known = self._decoded.get(key)
        # Same object (memory) or same bytes (Redis): a memcmp instead of a JSON decode.
        if known is not None and (known[0] is raw or known[0] == raw):
            return self._answer(known[1], "HIT")
        entry = Entry.decode(raw)
        if entry is None:
            return None
        if len(raw) <= DECODED_MAX_BYTES:
            if len(self._decoded) >= DECODED_ENTRIES:
                self._decoded.clear()
            self._decoded[key] = (raw, entry)
        return self._answer(entry, "HIT")

    def _store_and_answer(self, primary: str, known: tuple[str, ...], settings: RouteCache, result: Any) -> Any:
        if isinstance(result, HTTPError):
            return result  # the app's error handler renders it; never stored
        data = materialize(result, response)  # applies an HTTPResponse to `response`
        if data is None:
            return result  # files, generators and other streams pass through uncached
        target = response
        headers = [(str(n), str(v)) for n, v in target.headerlist]
        names = self._depends_on(headers, settings, known)
        if names is None or target.status_code not in settings.statuses or forbids_storing(headers):
            if self.header:
                target.set_header(self.header, "MISS")
            return data
        entry = Entry.build(target.status_line, headers, data, settings.ttl, settings.vary + names, self.header)
        if entry.etag is None:
            entry.add_header("ETag", etag_for(data))
        tags = settings.tags_for(full_path(request.environ))
        key = primary
        if names:
            self._store(primary, encode_variants(names), settings.ttl, tags)
            key = variant_key(primary, names, request.environ)
        self._store(key, entry.encode(), settings.ttl, tags)
        return self._answer(entry, "MISS")

    @staticmethod
    def _depends_on(headers: list[tuple[str, str]], settings: RouteCache, known: tuple[str, ...]) -> tuple[str, ...] | None:
        """The request headers outside the primary key that the answer depends on (recorded
        on the request, or named by its own `Vary`), sorted; None for `Vary: *` (never stored)."""
        named = vary_names(headers)
        if "*" in named:
            return None
        keyed = {name.lower() for name in settings.vary}
        extra = {name for name in (*request.varies, *named, *known) if name.lower() not in keyed}
        return tuple(sorted(extra))

    def _answer(self, entry: Entry, outcome: str) -> HTTPResponse:
        headers = entry.headers_now()
        if self.header:
            headers.append((self.header, outcome))
        if entry.etag is not None and etag_matches(request.environ.get("HTTP_IF_NONE_MATCH"), entry.etag):
            return HTTPResponse(status=304, headers=entry.not_modified_headers(headers, self.header))
        return HTTPResponse(body=entry.body, status=entry.status_line, headers=headers)

    def _store(self, key: str, data: bytes, ttl: float, tags: Iterable[str]) -> None:
        self._backend_call(self.backend.set, key, data, ttl, tuple(tags))

    def _backend_call(self, method: Callable[..., Any], *args: Any) -> Any:
        """Call the backend; on failure note the outage and answer None (a miss)."""
        if not self._health.available():
            return None
        try:
            result = method(*args)
        except CacheBackendError as error:
            self._health.failed(error)
            return None
        self._health.succeeded()
        return result

