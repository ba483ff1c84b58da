"""URL routing: the rule syntax, wildcard filters, the :class:`Router` and URL building.

Rules look like ``/user/<id:int>``: ``<name>`` matches one path segment, ``<name:int>``,
``<name:float>``, ``<name:path>`` (slashes included) and ``<name:re:EXP>`` narrow it, and
``<:filter>`` or ``<>`` is an anonymous wildcard that must match but is not passed on.
Bottle's old syntax, ``:name``, ``:name#EXP#`` and ``:#EXP#``, still works and warns
(``DeprecationWarning``), as in Bottle 0.13; escape a literal ``<`` or ``:`` with a backslash.

Why the router is shaped this way (``bench/`` scenarios *hello*, *dynamic*, *many routes*,
*router scaling*): a static rule is one dict lookup. A dynamic rule is filed in a tree under
its leading literal segments (``/api/v1/user/<id>`` under ``api → v1 → user``), so a request
only tries the rules that share its leading segments: the match cost follows the depth of
the path, not the number of routes. Among the candidates the earliest defined rule wins,
as in Bottle, and methods are tried in Bottle's order: for each method (``PROXY`` for mount
points, the request's, ``ANY``), its static rules, then its dynamic ones.
"""

from __future__ import annotations

import functools
import math
import re
import warnings
from typing import TYPE_CHECKING, Any, Callable, Iterator
from urllib.parse import quote, urlencode

from .errors import RouteBuildError, RouterUnknownModeError, RouteSyntaxError
from .pathmatch import linear_matcher
from .response import HTTPError

if TYPE_CHECKING:
    from .route import Route

#: A filter turns its config into ``(regex, to_python, to_url)``.
Filter = Callable[[str], tuple[str, Callable[[str], Any] | None, Callable[[Any], str] | None]]


@functools.cache  # compiled when the first route is added, not at import (bench: importtime)
def _wildcard() -> re.Pattern[str]:
    """The new ``<name:filter:conf>`` or the old ``:name#re#`` wildcard, after any backslashes."""
    return re.compile(r"(\\*)(?:<([a-zA-Z_][a-zA-Z_0-9]*)?(?::([a-zA-Z_]*)(?::((?:\\.|[^\\>])*))?)?>"
                      r"|:([a-zA-Z_][a-zA-Z_0-9]*)?(?:#((?:\\.|[^\\#])*)#)?)")


_OLD_SYNTAX_WARNING = ("Warning: Use of deprecated feature or API. (Deprecated in Bottle-0.13)\n"
                       "Cause: Use of old route syntax.\nFix: Use <name> instead of :name in routes.\n")

HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


def _default_filter(conf: str) -> tuple[str, None, None]:
    return r"[^/]+", None, None


def _re_filter(conf: str) -> tuple[str, None, None]:
    return conf or r"[^/]+", None, None


def _int_filter(conf: str) -> tuple[str, Callable[[str], int], Callable[[Any], str]]:
    return r"-?\d+", int, lambda value: str(int(value))


def _float_filter(conf: str) -> tuple[str, Callable[[str], float], Callable[[Any], str]]:
    return r"-?(?:\d+\.?\d*|\.\d+)", float, _float_to_url


def _float_to_url(value: Any) -> str:
    """The shortest text that reads back as ``value``, without an exponent (``1e+20`` would
    not match the filter's pattern, so ``get_url`` would build a URL that 404s)."""
    number = float(value)
    if not math.isfinite(number):
        raise RouteBuildError(f"Cannot build a URL from the float {number!r}: only finite numbers match <:float>.")
    text = repr(number)
    if "e" not in text:
        return text
    from decimal import Decimal  # rare path; kept off the import time

    return format(Decimal(text), "f")


def _path_filter(conf: str) -> tuple[str, None, Callable[[Any], str]]:
    return r"(?s:.+?)", None, lambda value: quote(str(value), safe="/")  # a file name may hold a newline


class _Node:
    """One literal path segment of the dynamic-route tree."""

    __slots__ = ("children", "routes", "positions")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.routes: list[tuple[int, re.Pattern[str], tuple[tuple[str, Callable[[str], Any]], ...], Route]] = []
        self.positions: dict[str, int] = {}  # rule -> index in routes, to replace a rule added again


class Router:
    """Matches requests to routes and builds URLs from route names.

    ``add_filter(name, func)`` registers a wildcard filter ``<x:name:conf>``: ``func(conf)``
    returns ``(regex, to_python, to_url)``.
    """

    #: Paths longer than this are answered 414 without trying any rule with wildcards;
    #: the app sets it from ``app.config['request.max_path']``.
    max_path = 8192

    def __init__(self, strict: bool = False) -> None:  # strict: Bottle's signature; rules always match in order
        self.filters: dict[str, Filter] = {
            "re": _re_filter, "int": _int_filter, "float": _float_filter, "path": _path_filter,
        }
        self.static: dict[str, dict[str, Route]] = {}
        self._trees: dict[str, _Node] = {}
        self.rules: list[tuple[str, str, Route]] = []
        self.builder: dict[str, list[tuple[str | None, Any]]] = {}
        self._counter = 0
        self._has_proxy = False  # mount points (method PROXY) are tried before any other route

    def add_filter(self, name: str, func: Filter) -> None:
        """Register a wildcard filter usable as ``<name:filtername:config>``."""
        self.filters[name] = func

    def _tokens(self, rule: str) -> Iterator[tuple[str, str | None, str | None, str]]:
        """Split a rule into ``('text', ...)`` and ``('wild', name, filter, conf)`` tokens."""
        offset = 0
        for match in _wildcard().finditer(rule):
            backslashes, name, mode, conf, old_name, old_conf = match.groups()
            text = rule[offset:match.start()]
            old_style = match.group(0)[len(backslashes)] == ":"
            if old_style and old_name is None and old_conf is None:
                continue  # a colon that starts no wildcard is plain text
            if len(backslashes) % 2:  # an escaped '<' or ':' is literal text
                yield "text", None, None, text + match.group(0)  # _compile drops the escape
                offset = match.end()
                continue
            yield "text", None, None, text + backslashes[: len(backslashes) // 2]
            if old_style:
                warnings.warn(_OLD_SYNTAX_WARNING, DeprecationWarning, stacklevel=5)
                name, mode, conf = old_name, "re" if old_conf else None, old_conf
            yield "wild", name, mode or None, conf or ""
            offset = match.end()
        yield "text", None, None, rule[offset:]

    def _compile(self, rule: str) -> tuple[str, list[str], list[tuple[str | None, Any]], dict[str, Callable[[str], Any]]]:
        """Return the regex source, the leading literal segments (empty for a rule with
        no wildcard), the URL builder and the value converters of ``rule``."""
        pattern = ""
        builder: list[tuple[str | None, Any]] = []
        converters: dict[str, Callable[[str], Any]] = {}
        literal_prefix: str | None = None
        anonymous = 0
        for kind, name, mode, conf in self._tokens(rule):
            if kind == "text":
                if re.search(r"(?<!\\)<", conf):
                    raise RouteSyntaxError(
                        f"Malformed wildcard in route rule {rule!r} near {conf!r}: use <name>, <name:filter> "
                        "or <name:re:regex>, and escape a literal '<' as '\\<'.")
                conf = conf.replace("\\<", "<").replace("\\:", ":")
                pattern += re.escape(conf)
                builder.append((None, conf))
                continue
            if literal_prefix is None:
                literal_prefix = "".join(part for _, part in builder)
            filter_name = mode or ("re" if conf else None)
            if filter_name is not None and filter_name not in self.filters:
                raise RouterUnknownModeError(f"Unknown filter {mode!r} in route rule {rule!r}; known: "
                                             f"{sorted(self.filters)}; add one with router.add_filter().")
            regex, to_python, to_url = self.filters[filter_name](conf) if filter_name else _default_filter(conf)
            try:
                re.compile(regex)
            except re.error as error:
                raise RouteSyntaxError(f"Bad regular expression {regex!r} in route rule {rule!r}: {error}.") from None
            if name:
                pattern += f"(?P<{name}>{regex})"
                if to_python:
                    converters[name] = to_python
            else:
                pattern += f"(?:{regex})"
            if not name:
                anonymous += 1
            builder.append((name or f"anon{anonymous - 1}", to_url or str))
        segments = literal_prefix.split("/")[1:-1] if literal_prefix and literal_prefix[0] == "/" else []
        return pattern, segments, builder, converters

    def _pieces(self, rule: str, builder: list[tuple[str | None, Any]]) -> list[tuple[str | None, Any]]:
        """The rule as ``(None, literal)`` and ``(name, filter name)`` pieces; a filter
        replaced with :meth:`add_filter` is named ``'custom'``."""
        wildcards = iter([(name or "", mode or ("re" if conf else None))
                          for kind, name, mode, conf in self._tokens(rule) if kind == "wild"])
        pieces: list[tuple[str | None, Any]] = []
        for key, part in builder:
            if key is None:
                pieces.append((None, part))
                continue
            name, kind = next(wildcards)  # the builder names anonymous wildcards anon0...; the matcher does not
            builtin = {"path": _path_filter, "int": _int_filter}.get(kind or "")
            pieces.append((name, kind if kind is None or self.filters.get(kind or "") is builtin else "custom"))
        return pieces

    def add(self, rule: str, method: str, target: Route, name: str | None = None) -> None:
        """Add a route: ``rule`` for ``method`` answered by ``target``; a ``name`` makes it
        buildable with :meth:`build`. Raises :class:`RouteSyntaxError` for a malformed rule."""
        method = method.upper()
        self._has_proxy = self._has_proxy or method == "PROXY"
        pattern, segments, builder, converters = self._compile(rule)
        self.builder[rule] = builder  # every rule can be built, as in Bottle: get_url('/a/<b>', b=1)
        if name:
            self.builder[name] = builder
        self.rules.append((rule, method, target))
        if all(key is None for key, _ in builder):
            self.static.setdefault(method, {})["".join(str(part) for _, part in builder)] = target
            return
        try:
            regex: Any = re.compile(f"^{pattern}\\Z")  # not "$", which also matches before a final newline ("/5%0A")
        except re.error as error:
            raise RouteSyntaxError(f"Could not compile route rule {rule!r}: {error}.") from None
        regex = linear_matcher(self._pieces(rule, builder)) or regex  # never backtracks badly (see pathmatch)
        node = self._trees.setdefault(method, _Node())
        for segment in segments:
            node = node.children.setdefault(segment, _Node())
        position = node.positions.get(rule)
        if position is not None:  # the same rule again replaces the old route in place
            node.routes[position] = (node.routes[position][0], regex, tuple(converters.items()), target)
            return
        self._counter += 1
        node.positions[rule] = len(node.routes)
        node.routes.append((self._counter, regex, tuple(converters.items()), target))

    def _match_dynamic(self, method: str, path: str) -> tuple[Route, dict[str, Any]] | None:
        node = self._trees.get(method)
        if node is None:
            return None
        # The walk keeps the best match in locals, not a tuple per match (*dynamic*).
        found: re.Match[str] | None = None
        best_index = 0
        best_converters: tuple[tuple[str, Callable[[str], Any]], ...] = ()
        best_route: Route | None = None
        segments = path.split("/")
        last, depth = len(segments), 1
        while True:
            for index, regex, converters, route in node.routes:
                if found is not None and index > best_index:
                    break
                matched = regex.match(path)
                if matched is not None:
                    found, best_index, best_converters, best_route = matched, index, converters, route
                    break
            if depth >= last:
                break
            child = node.children.get(segments[depth])
            if child is None:
                break
            node, depth = child, depth + 1
        if found is None or best_route is None:
            return None
        args = found.groupdict()
        for key, convert in best_converters:
            args[key] = convert(args[key])
        return best_route, args

    def match(self, environ: dict[str, Any]) -> tuple[Route, dict[str, Any]]:
        """Return ``(route, url_args)`` for the request, or raise an ``HTTPError``: 404 when
        no rule matches the path, 405 with an ``Allow`` header when only other methods do,
        400 when a wildcard value does not convert (``<id:int>`` overflow, say)."""
        method = environ["REQUEST_METHOD"]
        path = environ["PATH_INFO"] or "/"
        if len(path) > self.max_path:  # before any regex runs: bounds what a rule can cost
            raise HTTPError(414, f"The request path is {len(path)} characters long, over the limit of "
                                 f"{self.max_path} (app.config['request.max_path']).")
        static = self.static
        if not self._has_proxy:  # a static rule of the request's own method wins at once (*hello*)
            table = static.get(method)
            if table is not None and path in table:
                return table[path], {}
        methods = ("HEAD", "GET", "ANY") if method == "HEAD" else (method, "ANY")
        if self._has_proxy:
            methods = ("PROXY", *methods)
        try:
            for candidate in methods:  # Bottle's precedence: per method, static rules before dynamic ones
                table = static.get(candidate)
                if table is not None and path in table:
                    return table[path], {}
                found = self._match_dynamic(candidate, path)
                if found is not None:
                    return found
        except (ValueError, OverflowError):
            raise HTTPError(400, "The path has the wrong format for this route's wildcards.") from None
        allowed = self.allowed_methods(path)
        if allowed:
            raise HTTPError(405, f"Method {method} not allowed here; use {', '.join(allowed)}.", Allow=",".join(allowed))
        raise HTTPError(404, f"Not found: {path!r}")

    def allowed_methods(self, path: str) -> list[str]:
        """Every method some route answers for ``path`` (``HEAD`` implied by ``GET``)."""
        found = set()
        for method in set(self.static) | set(self._trees):
            if path in self.static.get(method, ()) or self._safe_match(method, path):
                found.add(method)
        if "ANY" in found or "PROXY" in found:
            return sorted(set(HTTP_METHODS))
        if "GET" in found:
            found.add("HEAD")
        return sorted(found)

    def _safe_match(self, method: str, path: str) -> bool:
        try:
            return self._match_dynamic(method, path) is not None
        except (ValueError, OverflowError):
            return True

    def build(self, _name: str, *anons: Any, **query: Any) -> str:
        """Build the URL path of the route named (or with the rule) ``_name``: wildcard
        values come from the keywords (anonymous ones, ``anon0``, ``anon1``..., from
        ``anons``), remaining keywords become the query string."""
        builder = self.builder.get(_name)
        if builder is None:
            raise RouteBuildError(f"No route named {_name!r}; name it with route(..., name={_name!r}) "
                                  "or give its rule.")
        for position, value in enumerate(anons):  # anonymous wildcards are anon0, anon1, ... in order
            query[f"anon{position}"] = value
        parts: list[str] = []
        try:
            for key, part in builder:
                if key is None:
                    parts.append(part)
                    continue
                text = part(query.pop(key))
                parts.append(text if part is not str else quote(text, safe=""))
        except KeyError as missing:
            raise RouteBuildError(f"Missing value for wildcard {missing} to build route {_name!r}.") from None
        url = "".join(parts)
        return f"{url}?{urlencode(query, doseq=True)}" if query else url


def path_limit(router: Router) -> Callable[[Any], int]:
    """The check of ``app.config['request.max_path']``: a positive number of characters,
    handed to ``router`` when it is set (the app declares it)."""
    def apply(value: Any) -> int:
        try:
            limit = int(value)
        except (TypeError, ValueError):
            limit = 0
        if limit < 1 or isinstance(value, bool):
            raise ValueError(f"request.max_path must be a positive number of characters, not {value!r}.")
        router.max_path = limit
        return limit
    return apply


def yieldroutes(func: Callable[..., Any]) -> Iterator[str]:
    """Yield the rules a callback answers when none is given, from its name and
    arguments: ``def hello(name, greeting='hi')`` gives ``/hello/<name>`` and
    ``/hello/<name>/<greeting>``; a double underscore in the name becomes a slash."""
    import inspect

    path = "/" + func.__name__.replace("__", "/").lstrip("/")
    params = [p for p in inspect.signature(func).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p.name for p in params if p.default is p.empty]
    path += "".join(f"/<{name}>" for name in required)
    yield path
    for param in params[len(required):]:
        path += f"/<{param.name}>"
        yield path
