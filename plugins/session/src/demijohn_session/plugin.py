"""The session plugin: a :class:`Session` per request, passed to callbacks and saved after them."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from demijohn import (App, BaseResponse, HTTPError, HTTPResponse, PluginError, RequestSlot, Route, claim_keyword, request,
                      response, route_option)
from demijohn.proxy import ProxyPolicy

from .backends import SessionBackend, SessionBackendUnavailable, SessionEnded, SessionError, SessionTooLarge
from .session import Session, vary_cookie

__all__ = ["MAX_COOKIE_SIZE", "SessionPlugin"]

log = logging.getLogger("demijohn_session")

#: Browsers keep at most this many bytes of a cookie's ``name=value``.
MAX_COOKIE_SIZE = 4096

_ROUTE_OPTIONS = {"required"}
_SAMESITE = {"lax": "Lax", "strict": "Strict", "none": "None"}
# trust_proxy=True: the proto header of whatever proxy stands in front (the app's policy may say more)
_TRUST_FORWARDED_PROTO = ProxyPolicy(trusted_hops="all", headers=frozenset({"proto"}))


class SessionPlugin:
    """Give every route a session on ``request.session`` (and as ``session=`` where asked for).

    ``backend`` is a :class:`CookieBackend`, a :class:`RedisBackend` or any
    :class:`SessionBackend`. The cookie options map to ``Set-Cookie`` attributes;
    ``max_age=None`` makes a browser-session cookie. ``secure=None`` sets ``Secure`` when
    the request came over HTTPS: ``request.scheme`` under the app's proxy policy, or
    ``X-Forwarded-Proto`` whatever the policy with ``trust_proxy=True`` (behind a proxy you
    control). Per route: ``session=False`` leaves
    the route out, ``session={'required': False}`` runs it with an empty unsaved session
    instead of answering 503 when the store is down.
    """

    api = 2

    def __init__(
        self,
        backend: SessionBackend,
        cookie_name: str = "session",
        max_age: int | None = None,
        path: str = "/",
        domain: str | None = None,
        secure: bool | None = None,
        httponly: bool = True,
        samesite: str | None = "Lax",
        keyword: str = "session",
        trust_proxy: bool = False,
    ) -> None:
        for method in ("load", "save", "delete"):
            if not callable(getattr(backend, method, None)):
                raise SessionError(
                    f"SessionPlugin needs a backend with load/save/delete such as CookieBackend(secret) "
                    f"or RedisBackend(url, secret_or_secrets=...); {backend!r} has no {method}()."
                )
        if not cookie_name or not isinstance(cookie_name, str) or not cookie_name.isascii():
            raise SessionError(f"SessionPlugin: cookie_name must be a non-empty ASCII str, got {cookie_name!r}.")
        if not keyword or not isinstance(keyword, str) or not keyword.isidentifier():
            raise SessionError(f"SessionPlugin: keyword must be a Python identifier, got {keyword!r}.")
        if max_age is not None and (isinstance(max_age, bool) or not isinstance(max_age, int) or max_age <= 0):
            raise SessionError(f"SessionPlugin: max_age must be None or a positive int of seconds, got {max_age!r}.")
        if samesite is not None:
            if not isinstance(samesite, str) or samesite.lower() not in _SAMESITE:
                raise SessionError(f"SessionPlugin: samesite must be 'Lax', 'Strict', 'None' or None, got {samesite!r}.")
            samesite = _SAMESITE[samesite.lower()]
            if samesite == "None" and secure is False:
                raise SessionError("SessionPlugin: samesite='None' needs secure=True or None; browsers drop it otherwise.")
        self.backend = backend
        self.cookie_name = cookie_name
        self.secure = secure  # None: decided per request (Secure over HTTPS)
        # The cookie's attributes, built once: where it is valid (also to delete it), and the rest.
        self.cookie_scope: dict[str, Any] = {"path": path} if domain is None else {"path": path, "domain": domain}
        self.cookie_attributes: dict[str, Any] = {**self.cookie_scope, "httponly": httponly}
        if samesite is not None:
            self.cookie_attributes["samesite"] = samesite
        if max_age is not None:
            self.cookie_attributes["max_age"] = max_age
        self.keyword = keyword
        self.trust_proxy = trust_proxy
        self.name = "session" if keyword == "session" else f"session_{keyword}"
        self._slot = RequestSlot(keyword)

    def setup(self, app: App) -> None:
        """Refuse a second plugin that claims the same keyword."""
        claim_keyword(app, self)

    def close(self) -> None:
        """Release the backend's connections."""
        close = getattr(self.backend, "close", None)
        if callable(close):
            close()

    def route_options(self, route: Route) -> dict[str, bool] | None:
        """The route's ``session=`` config as options, or None when the route opted out."""
        config = route_option(route, self.keyword, _ROUTE_OPTIONS, missing=True, plugin=self)
        if config is None:
            return None
        required = config.get("required", True)
        if not isinstance(required, bool):
            raise PluginError(
                f"route {route.method} {route.rule}: {self.keyword}['required'] must be True or False, got {required!r}.",
                self,
            )
        return {"required": required}

    def apply(self, callback: Callable[..., Any], route: Route) -> Callable[..., Any]:
        """Wrap ``callback`` so it runs with a lazily loaded session that is saved afterwards."""
        options = self.route_options(route)
        if options is None:
            return callback
        required = options["required"]
        passes_keyword = self.keyword in route.get_callback_args()
        keyword, slot = self.keyword, self._slot
        backend, cookie_name = self.backend, self.cookie_name

        @functools.wraps(callback)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            session = Session(backend, cookie_name, required)
            slot.set(session)  # request.<keyword>
            if passes_keyword:
                kwargs[keyword] = session
            try:
                result = callback(*args, **kwargs)
            except HTTPResponse as answer:  # redirect(), abort(): save, then let it through
                self._finish(session, answer)
                raise
            except SessionBackendUnavailable as error:
                raise self._unavailable(error) from error
            self._finish(session, result if isinstance(result, HTTPResponse) else response)
            return result

        return wrapper

    def _finish(self, session: Session, target: BaseResponse) -> None:
        """Save the session into ``target``, the answer that is sent; an ``HTTPResponse``
        replaces the headers of ``response``, so it gets ``Vary: Cookie`` here."""
        if session.loaded and target is not response:
            vary_cookie(target)
        self._save(session, target)

    def _save(self, session: Session, target: BaseResponse) -> None:
        """Persist a changed session and set or drop its cookie on ``target`` (a response)."""
        if not session.modified:
            return
        if session.unavailable:
            log.warning("session store unavailable; changes to the session on %s are lost", request.path)
            return
        try:
            self._write(session, target)
        except SessionBackendUnavailable as error:
            if session.required:
                raise self._unavailable(error) from error
            log.warning("session store unavailable; changes to the session on %s are lost", request.path)

    def _write(self, session: Session, target: BaseResponse) -> None:
        if not session.data:
            if session._id is not None:
                self.backend.delete(session._id)
            if session._had_cookie:
                target.delete_cookie(self.cookie_name, **self.cookie_scope)
            return
        encoded = session.encode()  # a clear SessionError for non-JSON values, before the backend
        try:
            session._id, value = self.backend.save(session._id, session.data)
        except SessionEnded as ended:
            # Invalidation wins: the answer that ended the session set (or deleted) the
            # cookie; this one leaves the cookie alone rather than undo that.
            log.info("not saving the session on %s: %s", request.path, ended)
            return
        size = len(self.cookie_name) + 1 + len(value)
        if size > MAX_COOKIE_SIZE:
            raise SessionTooLarge(
                f"the session cookie {self.cookie_name!r} would be {size} bytes, over the "
                f"{MAX_COOKIE_SIZE} browsers keep (keys: {sorted(session.data)[:10]}). Store less in "
                "the session, or use RedisBackend, which keeps only an id in the cookie."
            )
        session._loaded_json, session._force_save = encoded, False
        target.set_cookie(self.cookie_name, value, **self._cookie_attributes())

    def _cookie_attributes(self) -> dict[str, Any]:
        secure = self._is_https() if self.secure is None else self.secure
        return {**self.cookie_attributes, "secure": secure}

    def _is_https(self) -> bool:
        """Whether the request came over HTTPS: `request.scheme` under the app's proxy policy,
        or under one trusting `X-Forwarded-Proto` with ``trust_proxy=True``."""
        if self.trust_proxy:
            return _TRUST_FORWARDED_PROTO.scheme(request.environ) == "https"
        return bool(request.scheme == "https")

    def _unavailable(self, error: SessionBackendUnavailable) -> HTTPError:
        log.warning("answering 503 on %s: %s", request.path, error)
        answer = HTTPError(503, "The session store is unavailable; please retry in a moment.", exception=error)
        answer.set_header("Retry-After", "1")
        return answer
