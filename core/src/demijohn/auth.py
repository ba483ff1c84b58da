"""HTTP Basic authentication for a route: the :func:`auth_basic` decorator."""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

from .context import request
from .response import HTTPError

F = TypeVar("F", bound=Callable[..., Any])


def auth_basic(check: Callable[[str | None, str | None], Any], realm: str = "private",
               text: str = "Access denied") -> Callable[[F], F]:
    """Decorator: answer ``401`` with ``WWW-Authenticate: Basic realm="<realm>"`` unless the
    request's Basic credentials pass ``check(user, password)``::

        @app.get('/admin')
        @auth_basic(lambda user, password: user == 'admin' and password == ADMIN_PASSWORD)
        def admin():
            return 'welcome'

    ``check`` is called with ``(None, None)`` when the client sent no credentials. Compare
    passwords with :func:`hmac.compare_digest` to avoid timing leaks."""
    if '"' in realm or "\\" in realm:
        raise ValueError(f"auth_basic realm {realm!r} must not contain quotes or backslashes.")

    def decorator(callback: F) -> F:
        @functools.wraps(callback)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user, password = request.auth or (None, None)
            if user is None or not check(user, password):
                error = HTTPError(401, text)
                error.add_header("WWW-Authenticate", f'Basic realm="{realm}"')
                return error
            return callback(*args, **kwargs)
        return wrapper  # type: ignore[return-value]
    return decorator


__all__ = ["auth_basic"]
