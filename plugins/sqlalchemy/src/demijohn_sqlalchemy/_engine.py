"""The engine the plugin creates from a URL: pre-pinged connections and a short wait for one.

An app under load whose every connection is busy should answer 503 quickly, not hold
each new request's thread for SQLAlchemy's default 30 seconds while it waits for a
connection: the plugin's engine waits :data:`DEFAULT_POOL_TIMEOUT` seconds (``pool_timeout=``),
then :func:`~demijohn_sqlalchemy.http_error_for` answers 503 with ``Retry-After``.
"""

from __future__ import annotations

import math
from typing import Any

from demijohn import PluginError
from sqlalchemy import URL, Engine, create_engine, make_url
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.pool import QueuePool

#: Seconds a request waits for a free connection of an engine the plugin creates before
#: it is answered 503 (SQLAlchemy's own default, 30 s, would hold every thread that long).
DEFAULT_POOL_TIMEOUT = 3.0


def check_pool_timeout(pool_timeout: Any, creates_engine: bool) -> None:
    """``pool_timeout`` is None or a positive, finite number of seconds, for an engine the
    plugin creates (it cannot change the pool of an Engine it is given)."""
    if pool_timeout is None:
        return
    if (isinstance(pool_timeout, bool) or not isinstance(pool_timeout, (int, float))
            or not 0 < pool_timeout < math.inf):
        raise PluginError(
            f"SQLAlchemyPlugin(pool_timeout={pool_timeout!r}): pass a positive number of "
            f"seconds, such as {DEFAULT_POOL_TIMEOUT}."
        )
    if not creates_engine:
        raise PluginError(
            "SQLAlchemyPlugin(pool_timeout=...) sets the pool of the engine the plugin creates "
            "from a URL; for an Engine you create, pass it there: "
            "create_engine(url, pool_timeout=3)."
        )


def create_plugin_engine(url: str | URL, pool_timeout: float) -> Engine:
    """Create an engine from ``url`` with ``pool_pre_ping``, so dead connections are replaced,
    and ``pool_timeout`` when its pool is one that makes requests wait for a connection."""
    try:
        options: dict[str, Any] = {"pool_pre_ping": True}
        parsed = make_url(url)
        dialect = parsed.get_dialect()
        if issubclass(dialect, DefaultDialect):
            if issubclass(dialect.get_pool_class(parsed), QueuePool):
                options["pool_timeout"] = pool_timeout
        return create_engine(parsed, **options)
    except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError, ImportError) as error:
        raise PluginError(
            f"SQLAlchemyPlugin could not create an engine from {masked(url)}: {error}. Pass a "
            f"URL such as 'sqlite:///app.db' or 'postgresql+psycopg://user@host/db', or an Engine."
        ) from error


def masked(url: str | URL) -> str:
    """The URL with any password hidden, for error messages and reprs."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return "the given URL (unparseable)"
