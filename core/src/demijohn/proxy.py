"""The one proxy policy: how far the ``X-Forwarded-*`` headers of a request are trusted.

Any client can send ``X-Forwarded-For``, ``X-Forwarded-Proto`` and ``X-Forwarded-Host``;
only the entries added by proxies you run are true. The policy says how many proxies stand
in front of the app (``trusted_hops``) and which of the three headers they set
(``headers``). Each proxy appends to ``X-Forwarded-For``, so the client's address is the
entry ``trusted_hops`` from the right; whatever a client wrote further left is ignored.

It is read from the app's config, so every part of an app (``request.remote_addr``,
``request.url``, ``redirect()``, plugins) sees the same answer::

    app.config["proxy.trusted_hops"] = 1                 # one proxy (nginx) in front
    app.config["proxy.headers"] = "for, proto, host"     # it sets all three headers

The default trusts no proxy: the client's address is ``REMOTE_ADDR``, the scheme the
server's and the host the ``Host`` header. ``trusted_hops = "all"`` trusts every entry, as
Bottle does (the leftmost ``X-Forwarded-For`` entry is the client): only behind a proxy that
overwrites these headers.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal, NamedTuple, Union

from . import environ_keys

#: ``trusted_hops``: a number of proxies, or ``"all"`` to trust every entry (Bottle's way).
Hops = Union[int, Literal["all"]]

HEADER_KEYS = {"for": "HTTP_X_FORWARDED_FOR", "proto": "HTTP_X_FORWARDED_PROTO", "host": "HTTP_X_FORWARDED_HOST"}
_SCHEMES = ("http", "https")
_HOST = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?\Z")


class ProxyPolicy(NamedTuple):  # not a dataclass: importing dataclasses costs ~10 ms of every start
    """How many proxies to trust (``trusted_hops``: an int, or ``"all"``) and which
    ``X-Forwarded-*`` headers they set (``headers``: a subset of ``for``, ``proto``, ``host``).

    >>> policy = ProxyPolicy(trusted_hops=1)
    >>> policy.client_route({"HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4", "REMOTE_ADDR": "10.0.0.1"})
    ['1.2.3.4']
    """

    trusted_hops: Hops = 0
    headers: frozenset[str] = frozenset(("for", "proto"))

    def _trusted(self, environ: dict[str, Any], name: str) -> list[str]:
        """The trusted entries of one ``X-Forwarded-*`` header, client first; ``[]`` when
        it is not trusted, missing, or has fewer entries than there are trusted proxies."""
        if not self.trusted_hops or name not in self.headers:
            return []
        value = environ.get(HEADER_KEYS[name])
        if not value:
            return []
        entries = [entry.strip() for entry in value.split(",")]
        if self.trusted_hops == "all":
            return entries
        if len(entries) < self.trusted_hops:
            return []  # fewer entries than proxies: a proxy did not set it, so a client may have
        return entries[-self.trusted_hops:]

    def client_route(self, environ: dict[str, Any]) -> list[str]:
        """The client's address and the proxies' addresses that can be trusted, client
        first; just ``REMOTE_ADDR`` when no ``X-Forwarded-For`` entry is trusted."""
        route = self._trusted(environ, "for")
        if route:
            return route
        remote = environ.get("REMOTE_ADDR")
        return [remote] if remote else []

    def scheme(self, environ: dict[str, Any]) -> str:
        """``'http'`` or ``'https'``: the trusted ``X-Forwarded-Proto`` if it is one of
        those two, else the server's ``wsgi.url_scheme``."""
        forwarded = self._trusted(environ, "proto") if self.trusted_hops else None  # no call when none is
        if forwarded and forwarded[0].lower() in _SCHEMES:
            return forwarded[0].lower()
        return str(environ.get("wsgi.url_scheme", "http"))

    def host(self, environ: dict[str, Any]) -> str:
        """The host (and port) the client addressed: the trusted ``X-Forwarded-Host`` if it
        is a well-formed host, else ``Host``, else the server's name and port."""
        forwarded = self._trusted(environ, "host") if self.trusted_hops else None
        if forwarded and _HOST.match(forwarded[0]):
            return forwarded[0]
        host = environ.get("HTTP_HOST")
        if host:
            return str(host)
        host, port = str(environ.get("SERVER_NAME", "127.0.0.1")), environ.get("SERVER_PORT")
        scheme = environ.get("wsgi.url_scheme", "http")
        if port and port != ("80" if scheme == "http" else "443"):
            host += f":{port}"
        return host


NO_PROXY = ProxyPolicy()


def trusted_hops(value: Any) -> Hops:
    """Check a ``proxy.trusted_hops`` value (the app applies it on assignment): a number
    of proxies (``"2"`` from a config file too) or ``"all"``."""
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        value = int(value)
    if value == "all" or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value  # type: ignore[no-any-return]
    raise ValueError(f"proxy.trusted_hops must be the number of proxies in front of the app (0, 1, 2...) or "
                     f"'all', not {value!r}.")


def forwarded_headers(value: Any) -> frozenset[str]:
    """Check a ``proxy.headers`` value (the app applies it on assignment): names among
    ``for``, ``proto`` and ``host`` (or ``X-Forwarded-For``...), as a list or a string."""
    names = re.split(r"[\s,]+", value.strip()) if isinstance(value, str) else list(value)
    chosen = set()
    for name in filter(None, names):
        short = str(name).lower().removeprefix("x-forwarded-")
        if short not in HEADER_KEYS:
            raise ValueError(f"proxy.headers: unknown header {name!r}; use 'for', 'proto' and 'host' "
                             "(X-Forwarded-For, -Proto, -Host).")
        chosen.add(short)
    return frozenset(chosen)


def declare(config: Any) -> None:
    """Give an app's config the ``proxy.*`` keys' help and checks (done by ``App()``), so a
    wrong value is refused when it is set, not on the next request."""
    config.meta_set("proxy.trusted_hops", "filter", trusted_hops)
    config.meta_set("proxy.trusted_hops", "help", "How many proxies in front of the app set X-Forwarded-* "
                                                  "headers (0: trust none; 'all': every entry, as Bottle).")
    config.meta_set("proxy.headers", "filter", forwarded_headers)
    config.meta_set("proxy.headers", "help", "Which X-Forwarded-* headers the trusted proxies set: for, proto, host.")


def policy_of(environ: dict[str, Any]) -> ProxyPolicy:
    """The policy of the app answering this request (``proxy.*`` in its config); trust
    nothing when there is no app."""
    app = environ.get(environ_keys.APP)
    if app is None:
        return NO_PROXY
    config = app.config
    if "proxy.trusted_hops" not in config:  # the common case, answered without a KeyError raised inside get()
        return NO_PROXY
    hops = config["proxy.trusted_hops"]
    if not hops:
        return NO_PROXY
    headers = config.get("proxy.headers")
    return _policy(hops, headers if headers is None or isinstance(headers, (str, frozenset)) else tuple(headers))


def origin_of(environ: dict[str, Any]) -> tuple[str, str]:
    """``(request.scheme, request.host)`` with one look-up of the app's policy: for code on
    the hot path that needs both (a cache key, say)."""
    policy = policy_of(environ)
    host = environ.get("HTTP_HOST")
    if policy is NO_PROXY and host:  # the common case, as scheme() and host() answer it, without two calls
        return str(environ.get("wsgi.url_scheme", "http")), str(host)
    return policy.scheme(environ), policy.host(environ)


@lru_cache(maxsize=32)  # a pure function of two config values: built once, not per request
def _policy(hops: Any, headers: Any) -> ProxyPolicy:
    if headers is None:
        return ProxyPolicy(trusted_hops(hops))
    return ProxyPolicy(trusted_hops(hops), forwarded_headers(headers))


__all__ = ["ProxyPolicy", "NO_PROXY", "policy_of", "origin_of", "declare", "trusted_hops", "forwarded_headers"]
