"""The context objects ``request`` and ``response``: module-level names that always refer
to the request being answered by the current thread, greenlet or task.

Each request binds one :class:`contextvars.ContextVar` to its ``(environ, response)``
pair (one set and one reset per request, see ``App.wsgi``); ``request`` reads the
environ from it, so no request object is built per request (*hello*). Unlike thread-locals,
context variables stay correct under greenlet and asyncio-thread servers.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar
from typing import Any

from .request import BaseRequest
from .response import BaseResponse

#: The ``(environ, response)`` pair of the request being answered.
current: ContextVar[tuple[dict[str, Any], BaseResponse]] = ContextVar("demijohn.current")


def bound_pair() -> tuple[dict[str, Any], BaseResponse]:
    """The bound pair; outside a request, in the main thread, a fresh empty one bound now.

    The rule (as Bottle, which binds an empty request at import in the main thread): in the
    main thread, scripts, test helpers and module-level code may read and write ``request``
    and ``response`` outside a request; they see an empty environ and a fresh response
    until a request or ``request.bind(environ)`` binds others. In other threads the context
    must come from a request (``contextvars.copy_context()``) or ``bind()``: reading there
    without either raises ``RuntimeError``, so work handed to a thread pool never reads
    another request's data."""
    try:
        return current.get()
    except LookupError:
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("There is no request being answered here: 'request' and 'response' only "
                               "work inside a request (a callback, hook or plugin wrapper); in another "
                               "thread, run the work with contextvars.copy_context().run(...) or call "
                               "request.bind(environ) first.") from None
    pair: tuple[dict[str, Any], BaseResponse] = ({}, BaseResponse())
    current.set(pair)
    return pair


class LocalRequest(BaseRequest):
    """The ``request`` object: a :class:`BaseRequest` whose environ is the current request's."""

    __slots__ = ()

    def __init__(self, environ: dict[str, Any] | None = None) -> None:
        if environ is not None:
            self.bind(environ)

    @property
    def environ(self) -> dict[str, Any]:
        """The WSGI environ of the request being answered (outside a request, see :func:`bound_pair`).
        Assigning it binds a new request, like :meth:`bind`."""
        try:
            return current.get()[0]
        except LookupError:
            return bound_pair()[0]

    @environ.setter
    def environ(self, environ: dict[str, Any]) -> None:
        self.bind(environ)

    def bind(self, environ: dict[str, Any] | None = None) -> None:
        """Bind a new request over ``environ`` in the current context, keeping the current
        response (test helpers such as boddle do this; the app binds requests by itself)."""
        try:
            response = current.get()[1]
        except LookupError:
            response = BaseResponse()
        current.set(({} if environ is None else environ, response))


class _ResponseAttribute:
    """Reads and writes one instance attribute of the current response."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, cls: Any) -> Any:
        if obj is None:
            return self
        return getattr(bound_pair()[1], self.name)

    def __set__(self, obj: Any, value: Any) -> None:
        setattr(bound_pair()[1], self.name, value)


class LocalResponse(BaseResponse):
    """The ``response`` object: a :class:`BaseResponse` whose state is the current response's."""

    _status_code = _ResponseAttribute("_status_code")
    _status_line = _ResponseAttribute("_status_line")
    _headers = _ResponseAttribute("_headers")
    _cookies = _ResponseAttribute("_cookies")
    _set_cookies = _ResponseAttribute("_set_cookies")
    body = _ResponseAttribute("body")

    def __init__(self) -> None:  # state lives in the bound response; nothing to set up here
        pass

    # The common writes fetch the bound response once and run there, instead of one context
    # read per attribute the method touches (*created*, *set-cookie*).
    @property
    def status(self) -> str:
        """The status line of the current response; set it with an int or a full line."""
        return bound_pair()[1].status

    @status.setter
    def status(self, status: int | str) -> None:
        bound_pair()[1].status = status

    def set_header(self, name: str, value: Any) -> None:
        """Set header ``name`` on the current response, replacing previous values."""
        bound_pair()[1].set_header(name, value)

    def add_header(self, name: str, value: Any) -> None:
        """Add a value to header ``name`` of the current response."""
        bound_pair()[1].add_header(name, value)

    def set_cookie(self, name: str, value: Any, secret: str | bytes | None = None, **options: Any) -> None:
        """Send a cookie with the current response (see :meth:`BaseResponse.set_cookie`)."""
        bound_pair()[1].set_cookie(name, value, secret, **options)

    def bind(self, body: Any = "", status: int | str | None = None, headers: Any = None, **more_headers: Any) -> None:
        """Bind a fresh response in the current context (kept for Bottle compatibility)."""
        try:
            environ = current.get()[0]
        except LookupError:
            environ = {}
        current.set((environ, BaseResponse(body, status, headers, **more_headers)))


request = LocalRequest()
response = LocalResponse()

__all__ = ["LocalRequest", "LocalResponse", "request", "response", "bound_pair"]
