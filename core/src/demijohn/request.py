"""The request side: :class:`BaseRequest`, a lazy view of a WSGI environ.

Nothing is parsed until asked for (``bench/`` scenario *hello*): each property reads the
environ on first use and caches its result in the environ itself, so copies of the request
and existing Bottle plugins see the same values. Bad input (malformed percent-encoding,
invalid UTF-8, a malformed JSON body, a body over the limit) raises an ``HTTPError`` with a
4xx status and a message saying what was wrong.
"""

from __future__ import annotations

import json
from io import BytesIO
from typing import IO, Any
from urllib.parse import SplitResult, quote, urljoin

from .bodyreader import ChunkedReader, content_length, copy_body, wants_chunked_decoding, without_body
from .cookieheader import parse_cookie_header
from .datastructures import DecodedFormsDict, FormsDict, WSGIHeaderDict, values_of_type
from .proxy import policy_of
from .httputil import cookie_decode, parse_auth, path_shift
from .response import HTTPError
from .descriptors import DictProperty
from .urlencoded import parse_query
from .vary import CREDENTIAL_HEADERS, RecordingHeaderDict, record, vary, varies

# Header name -> environ key, for the headers whose reads need no recording (the
# credentials stay out, so get_header's fast path is one dict read: *request access*).
_HEADER_KEYS: dict[str, str] = {}
_MISSING: Any = object()


def _configured_limits(config: Any) -> tuple[Any, Any]:
    return config.get("request.max_body"), config.get("request.max_memory")


def _query(environ: dict[str, Any]) -> FormsDict:
    query = environ.get("bottle.request.query")
    if query is None:
        query = environ["bottle.request.query"] = parse_query(environ.get("QUERY_STRING", ""))
    return query


class BaseRequest:
    """A wrapper around a WSGI environ with lazily parsed, cached properties.

    Attributes a plugin sets (``request.session = ...``) are stored in the environ under
    ``bottle.request.ext.<name>`` and live as long as the request.
    """

    __slots__ = ("environ",)

    #: Bodies up to this size stay in memory; larger ones are spooled to a temporary file.
    MEMFILE_MAX = 102400
    #: Default largest body accepted (413 above it); per app: ``app.config['request.max_body']``.
    MAX_BODY = 64 * 1024 * 1024
    #: Default largest JSON or urlencoded body (and multipart text fields) parsed in memory, as
    #: Bottle's ``MEMFILE_MAX``: a 413 above it; per app: ``app.config['request.max_memory']``.
    MAX_MEMORY = 102400

    def __init__(self, environ: dict[str, Any] | None = None) -> None:
        object.__setattr__(self, "environ", {} if environ is None else environ)

    # -- the app and route ------------------------------------------------------------
    def _routing(self, key: str, what: str) -> Any:
        try:
            return self.environ[key]
        except KeyError:
            raise RuntimeError(f"This request has no {what} yet: it is set when an app matches the request "
                               "to a route.") from None

    @property
    def app(self) -> Any:
        """The application answering this request (``RuntimeError`` before one does)."""
        return self._routing("bottle.app", "app")

    @property
    def route(self) -> Any:
        """The :class:`Route` that matched this request (``RuntimeError`` before routing)."""
        return self._routing("bottle.route", "route")

    @property
    def url_args(self) -> dict[str, Any]:
        """The wildcard values of the matched route (``RuntimeError`` before routing)."""
        return self._routing("route.url_args", "url arguments")

    # -- the request line ---------------------------------------------------------------
    @property
    def path(self) -> str:
        """The path after the app's mount point, always starting with ``/``."""
        return "/" + self.environ.get("PATH_INFO", "").lstrip("/")

    @property
    def method(self) -> str:
        """The request method, upper case."""
        return self.environ.get("REQUEST_METHOD", "GET").upper()

    @property
    def query_string(self) -> str:
        """The raw query string (without ``?``)."""
        return self.environ.get("QUERY_STRING", "")

    @property
    def query(self) -> FormsDict:
        """The query parameters as a :class:`FormsDict`; a 400 for malformed encoding."""
        # A plain property reading the environ once: on the ``request`` proxy every
        # ``self.environ`` is a context-variable read (*request access*).
        return _query(self.environ)

    GET = query

    @property
    def script_name(self) -> str:
        """The mount point of the app, with leading and trailing slash (``'/'`` at the root)."""
        script_name = self.environ.get("SCRIPT_NAME", "").strip("/")
        return f"/{script_name}/" if script_name else "/"

    def path_shift(self, shift: int = 1) -> None:
        """Move ``shift`` path segments from ``PATH_INFO`` to ``SCRIPT_NAME`` (negative: back)."""
        script_name, path_info = path_shift(self.environ.get("SCRIPT_NAME", "/"), self.path, shift)
        self.environ["SCRIPT_NAME"], self.environ["PATH_INFO"] = script_name, path_info

    @DictProperty("environ", "bottle.request.urlparts", read_only=True)
    def urlparts(self) -> SplitResult:
        """The request URL as a :class:`urllib.parse.SplitResult`: :attr:`scheme` and
        :attr:`host` (``X-Forwarded-*`` only as the app's proxy policy trusts them)."""
        path = quote(self.fullpath, safe="/:@!$&'()*+,;=")
        return SplitResult(self.scheme, self.host, path, self.environ.get("QUERY_STRING", ""), "")

    @property
    def scheme(self) -> str:
        """``'http'`` or ``'https'`` as the client used it: the server's scheme, or a
        trusted proxy's ``X-Forwarded-Proto`` (see :mod:`demijohn.proxy`)."""
        env = self.environ
        return policy_of(env).scheme(env)

    @property
    def host(self) -> str:
        """The host (and port) the client addressed: ``Host``, or a trusted proxy's
        ``X-Forwarded-Host`` (see :mod:`demijohn.proxy`)."""
        env = self.environ
        return policy_of(env).host(env)

    @property
    def url(self) -> str:
        """The full URL as the client asked for it."""
        return self.urlparts.geturl()

    @property
    def fullpath(self) -> str:
        """``SCRIPT_NAME`` plus ``PATH_INFO``: the path from the server's root."""
        return urljoin(self.script_name, self.path.lstrip("/"))

    # -- headers and cookies ---------------------------------------------------------------
    @property
    def headers(self) -> WSGIHeaderDict:
        """The request headers, case-insensitive and read-only. Reading ``Cookie`` or
        ``Authorization`` through them is recorded in :attr:`varies`."""
        environ = self.environ  # a plain property: one context read, one dict read (*headers*)
        view = environ.get("bottle.request.headers")
        if view is None:
            view = environ["bottle.request.headers"] = RecordingHeaderDict(environ)
        return view

    def get_header(self, name: str, default: Any = None) -> Any:
        """The value of request header ``name``, or ``default``. Reading ``Cookie`` or
        ``Authorization`` is recorded in :attr:`varies`."""
        key = _HEADER_KEYS.get(name)
        environ = self.environ  # one context read, one dict read (*request access*)
        if key is None:
            key = WSGIHeaderDict.environ_key(name)
            if key in CREDENTIAL_HEADERS:
                record(environ, CREDENTIAL_HEADERS[key])
            elif len(_HEADER_KEYS) < 1000:  # bounded: clients choose header names
                _HEADER_KEYS[name] = key
        value = environ.get(key)
        if value is None:
            return default
        return value if value.isascii() else value.encode("latin1").decode("utf-8", "replace")

    @property
    def cookies(self) -> FormsDict:
        """The cookies the client sent. Malformed pairs are ignored, as browsers do; a
        header with control characters is refused with a 400. Recorded in :attr:`varies`."""
        environ = self.environ  # a plain property: parsed once per request, kept in the environ (*cookies*)
        cookies = environ.get("bottle.request.cookies")
        if cookies is None:
            record(environ, "Cookie")  # once per request: the parsed cookies are cached below
            parsed = parse_cookie_header(environ.get("HTTP_COOKIE", ""))
            cookies = environ["bottle.request.cookies"] = FormsDict.from_lists(parsed)
        return cookies

    def get_cookie(self, key: str, default: Any = None, secret: str | bytes | None = None, digestmod: Any = None) -> Any:
        """The value of cookie ``key``, or ``default``. With ``secret``, the cookie must have
        been set signed with the same secret: a tampered or unsigned value gives ``default``."""
        value = self.cookies.get(key)
        if value is None:
            return default
        if secret is None:
            return value
        decoded = cookie_decode(value, secret, key)
        return default if decoded is None else decoded

    # -- the body --------------------------------------------------------------------------
    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header, lower case (``''`` when missing)."""
        return self.environ.get("CONTENT_TYPE", "").lower()

    @property
    def content_length(self) -> int:
        """The ``Content-Length`` header as an int, ``-1`` when missing; a 400 when invalid."""
        return content_length(self.environ)

    def _limit(self, key: str, default: int) -> int:
        app = self.environ.get("bottle.app")
        return int(app.config.get(key, default)) if app is not None else default

    def _body_limits(self, environ: dict[str, Any]) -> tuple[int, int]:
        """``(max_body, max_memory)``: the app's config read once per change of it (*form*)."""
        app = environ.get("bottle.app")
        if app is None:
            return self.MAX_BODY, self.MAX_MEMORY
        max_body, max_memory = app.config.derived("request.limits", _configured_limits)
        return (self.MAX_BODY if max_body is None else int(max_body),
                self.MAX_MEMORY if max_memory is None else int(max_memory))

    def _read_body(self, environ: dict[str, Any], length: int | None = None, max_body: int | None = None) -> IO[bytes]:
        """Read the body from ``wsgi.input`` once; the copy becomes the new ``wsgi.input``.
        ``length`` and ``max_body``, when the caller has them already, save reading them again."""
        source = environ.get("wsgi.input")
        chunked = source is not None and wants_chunked_decoding(environ)
        # chunked coding wins over a Content-Length sent beside it (RFC 9112 section 6.3)
        length = -1 if chunked else content_length(environ) if length is None else length
        max_body = self._body_limits(environ)[0] if max_body is None else max_body
        if length > max_body:
            raise HTTPError(413, f"Request body of {length} bytes is over the limit of {max_body} bytes.")
        if chunked:
            source, length = ChunkedReader(source), max_body + 1  # type: ignore[arg-type]
        elif length < 0:
            # without a length nothing may be read (PEP 3333), unless the server ends the stream
            length = max_body + 1 if environ.get("wsgi.input_terminated") else 0
        body = BytesIO() if source is None or length == 0 else copy_body(source, length, max_body, self.MEMFILE_MAX)
        environ["wsgi.input"] = environ["bottle.request.body"] = body
        return body

    @property
    def _body(self) -> IO[bytes]:
        environ = self.environ
        body = environ.get("bottle.request.body")
        return self._read_body(environ) if body is None else body

    @property
    def body(self) -> IO[bytes]:
        """The request body as a seekable file, rewound; large bodies are spooled to disk.
        A 413 when it is over ``request.max_body``, a 400 when it is shorter than declared."""
        body = self._body
        body.seek(0)
        return body

    @property
    def chunked(self) -> bool:
        """True if the body was sent with chunked transfer encoding."""
        return "chunked" in self.environ.get("HTTP_TRANSFER_ENCODING", "").lower()

    def _body_bytes(self, environ: dict[str, Any]) -> bytes:
        """The whole body for a JSON or urlencoded parser: a 413 over ``request.max_memory``."""
        max_body, max_memory = self._body_limits(environ)
        length = content_length(environ)
        if length > max_memory:
            raise HTTPError(413, f"Request body of {length} bytes is over the in-memory limit "
                                 f"of {max_memory} bytes for JSON and form data.")
        body = environ.get("bottle.request.body")
        if body is None:
            body = self._read_body(environ, length, max_body)
        if type(body) is BytesIO:
            data = body.getvalue()  # the bytes read, not a copy (*form*)
        else:
            body.seek(0)
            data = body.read(max_memory + 1)
        if len(data) > max_memory:
            raise HTTPError(413, f"Request body is over the in-memory limit of {max_memory} bytes.")
        return data

    @property
    def json(self) -> Any:
        """The body parsed as JSON when the content type is ``application/json`` (or
        ``application/*+json``); ``None`` otherwise or for an empty body. A 400 for
        malformed JSON."""
        environ = self.environ
        value = environ.get("bottle.request.json", _MISSING)
        if value is _MISSING:
            value = environ["bottle.request.json"] = self._parse_json(environ)
        return value

    def _parse_json(self, environ: dict[str, Any]) -> Any:
        content_type = environ.get("CONTENT_TYPE", "").lower().split(";", 1)[0].strip()
        if content_type != "application/json" and not (content_type.startswith("application/")
                                                        and content_type.endswith("+json")):
            return None
        data = self._body_bytes(environ)
        if not data:
            return None
        try:
            return json.loads(data)
        except (ValueError, RecursionError) as error:
            raise HTTPError(400, f"Malformed JSON body: {error}.") from None

    @property
    def POST(self) -> FormsDict:  # noqa: N802 - Bottle's name
        """Form fields (and, for multipart bodies, file uploads) from the body."""
        environ = self.environ
        post = environ.get("bottle.request.post")
        if post is None:
            post = environ["bottle.request.post"] = self._parse_post(environ)
        return post

    def _parse_post(self, environ: dict[str, Any]) -> FormsDict:
        content_type = environ.get("CONTENT_TYPE", "").lower()
        if content_type.startswith("multipart/"):
            from .multipart import MultipartLimits, parse_multipart  # on first use: most requests never need it

            limits = MultipartLimits.from_settings(self._limit, self.MAX_MEMORY)
            return parse_multipart(self.body, environ.get("CONTENT_TYPE", ""), limits)
        if (content_type and not content_type.startswith("application/x-www-form-urlencoded")) \
                or without_body(environ):
            return DecodedFormsDict()
        return parse_query(self._body_bytes(environ).decode("latin-1"), "form body")

    @property
    def forms(self) -> FormsDict:
        """Form fields from the body (urlencoded or multipart), file uploads left out."""
        environ = self.environ
        forms = environ.get("bottle.request.forms")
        if forms is None:
            post = self.POST
            if environ.get("CONTENT_TYPE", "")[:10].lower() == "multipart/":
                forms = values_of_type(post, str)
            else:
                forms = post  # an urlencoded body has no file uploads to leave out (*form*)
            environ["bottle.request.forms"] = forms
        return forms

    @property
    def files(self) -> FormsDict:
        """File uploads from a multipart body, as :class:`demijohn.FileUpload` objects by field name."""
        environ = self.environ
        files = environ.get("bottle.request.files")
        if files is None:
            post = self.POST
            if environ.get("CONTENT_TYPE", "")[:10].lower() == "multipart/":
                files = values_of_type(post, str, keep=False)
            else:
                files = DecodedFormsDict()
            environ["bottle.request.files"] = files
        return files

    @property
    def params(self) -> FormsDict:
        """Query parameters and form fields together (form fields last)."""
        environ = self.environ
        params = environ.get("bottle.request.params")
        if params is None:
            merged = {name: values[:] for name, values in _query(environ).dict.items()}
            forms = environ.get("bottle.request.forms")
            if forms is not None or not without_body(environ):  # no body: no form fields (*params*)
                for name, values in (self.forms if forms is None else forms).dict.items():
                    if name in merged:
                        merged[name] += values
                    else:
                        merged[name] = values[:]
            params = environ["bottle.request.params"] = DecodedFormsDict.from_lists(merged)
        return params

    # -- the client -------------------------------------------------------------------------
    @property
    def is_xhr(self) -> bool:
        """True for requests sent by JavaScript (``X-Requested-With: XMLHttpRequest``)."""
        return self.environ.get("HTTP_X_REQUESTED_WITH", "").lower() == "xmlhttprequest"

    is_ajax = is_xhr

    @property
    def auth(self) -> tuple[str, str | None] | None:
        """``(user, password)`` from a Basic ``Authorization`` header, or ``(user, None)``
        from ``REMOTE_USER`` set by the server; ``None`` when neither is there. Recorded
        in :attr:`varies` as ``Authorization``."""
        environ = self.environ
        record(environ, "Authorization")
        basic = parse_auth(environ.get("HTTP_AUTHORIZATION", ""))
        if basic:
            return basic
        user = environ.get("REMOTE_USER")
        return (user, None) if user else None

    @property
    def remote_route(self) -> list[str]:
        """The client's address and the trusted proxies' addresses, client first: the
        ``X-Forwarded-For`` entries the app's proxy policy trusts (see
        :mod:`demijohn.proxy`; none by default), else just ``REMOTE_ADDR``."""
        env = self.environ
        return policy_of(env).client_route(env)

    @property
    def remote_addr(self) -> str | None:
        """The client's IP address (first of :attr:`remote_route`): ``REMOTE_ADDR`` unless
        the app trusts a proxy in front of it."""
        route = self.remote_route
        return route[0] if route else None

    # -- what the answer depends on ------------------------------------------------------------
    def vary(self, *names: str) -> None:
        """Declare that the answer depends on the request headers ``names`` (so a cache keys
        on them): ``request.vary('Accept-Language')``. Reads of ``Cookie`` and
        ``Authorization`` through the request are recorded without it."""
        vary(self.environ, *names)

    @property
    def varies(self) -> frozenset[str]:
        """The request headers the answer depended on so far (canonical case), as recorded
        by :meth:`vary` and by reading the credentials: ``frozenset({'Cookie'})``."""
        return varies(self.environ)

    # -- the environ --------------------------------------------------------------------------
    def copy(self) -> BaseRequest:
        """A new request over a shallow copy of the environ."""
        return BaseRequest(self.environ.copy())

    def get(self, key: str, default: Any = None) -> Any:
        """``environ.get(key, default)``."""
        return self.environ.get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self.environ[key]

    def __setitem__(self, key: str, value: Any) -> None:
        """Set an environ value and drop cached properties that depend on it; a ``KeyError``
        when the environ is marked read-only (``bottle.request.readonly``)."""
        if self.environ.get("bottle.request.readonly"):
            raise KeyError(f"The request environ is read-only; cannot set {key!r}.")
        self.environ[key] = value
        stale: tuple[str, ...] = ()
        if key == "wsgi.input":
            stale = ("body", "forms", "files", "params", "post", "json")
        elif key == "QUERY_STRING":
            stale = ("query", "params")
        elif key.startswith("HTTP_"):
            stale = ("headers", "cookies")
        for name in stale:
            self.environ.pop("bottle.request." + name, None)

    def __delitem__(self, key: str) -> None:
        self[key] = ""
        del self.environ[key]

    def __iter__(self) -> Any:
        return iter(self.environ)

    def __len__(self) -> int:
        return len(self.environ)

    def keys(self) -> Any:
        """The environ's keys."""
        return self.environ.keys()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.method} {self.url}>"

    def __getattr__(self, name: str) -> Any:
        try:
            value = self.environ["bottle.request.ext." + name]
        except KeyError:
            raise AttributeError(f"Request has no attribute {name!r}") from None
        # As in Bottle, a function stored by a plugin comes back bound: request.get_user()
        return value.__get__(self) if hasattr(value, "__get__") else value

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "environ":
            return object.__setattr__(self, name, value)
        if hasattr(type(self), name):
            raise AttributeError(f"Request attribute {name!r} is built in and cannot be set.")
        key = "bottle.request.ext." + name
        environ = self.environ
        if key in environ:
            raise AttributeError(f"Request attribute {name!r} is already set for this request; attributes are "
                                 f"set once (delete it first with `del request.{name}`).")
        environ[key] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self.environ["bottle.request.ext." + name]
        except KeyError:
            raise AttributeError(f"Request has no attribute {name!r}") from None
