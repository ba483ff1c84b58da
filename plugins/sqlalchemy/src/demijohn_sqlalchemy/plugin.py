"""The SQLAlchemy plugin: a Session per request, committed or rolled back, always closed."""

from __future__ import annotations

import contextlib
import functools
import inspect
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from demijohn import App, HTTPError, HTTPResponse, PluginError, Route, claim_keyword, route_option
from sqlalchemy import URL, Engine, MetaData
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from ._engine import DEFAULT_POOL_TIMEOUT, check_pool_timeout, create_plugin_engine, masked
from ._streaming import StreamedBody, streams
from .errors import http_error_for, logger

__all__ = ["SQLAlchemyPlugin"]

# Names a Session (through sessionmaker) accepts; validated at construction, not per request.
_SESSION_OPTIONS = frozenset(inspect.signature(Session.__init__).parameters) - {"self"} | {"class_"}
# Per-route keys besides session options; `create`, `metadata` and the engine are app-wide.
_ROUTE_OPTIONS = frozenset({"keyword", "commit", "session_factory"})
_APP_WIDE_OPTIONS = frozenset({"create", "metadata", "engine", "engine_or_url"})


class SQLAlchemyPlugin:
    """Inject a new SQLAlchemy ``Session`` into every route whose callback takes ``keyword``.

    The session is committed when the callback returns or raises an ``HTTPResponse``
    that is not an error (a redirect), rolled back on any other exception or on an
    ``HTTPError``, and always closed. A database error while committing answers with
    409 (conflict), 400 (invalid value) or 503 (lost or unavailable database), see
    :func:`http_error_for`. Per-route options: ``sqlalchemy={'commit': False, ...}``.

    A callback that returns a generator keeps its session until the body is closed: the
    body's own work is committed after the last chunk, rolled back if it fails or is closed
    early. ``pool_timeout`` is how long a request waits for a free connection of
    the engine the plugin creates from a URL (:data:`DEFAULT_POOL_TIMEOUT`) before it is
    answered 503 with ``Retry-After``; an Engine you pass keeps its own setting.
    """

    api = 2

    def __init__(
        self,
        engine_or_url: Engine | str | URL | None,
        keyword: str = "db",
        commit: bool = True,
        create: bool = False,
        metadata: MetaData | None = None,
        session_factory: Callable[..., Session] | None = None,
        *,
        name: str = "sqlalchemy",
        pool_timeout: float | None = None,
        **session_options: Any,
    ) -> None:
        check_pool_timeout(pool_timeout, isinstance(engine_or_url, (str, URL)))
        _check_keyword(keyword, "keyword")
        _check_commit(commit, "commit")
        _check_session_options(session_options, "SQLAlchemyPlugin(...)")
        if create and metadata is None:
            raise PluginError(
                "SQLAlchemyPlugin(create=True) needs the tables to create: pass "
                "metadata=Base.metadata (or drop create=True)."
            )
        if engine_or_url is None and session_factory is None:
            raise PluginError(
                "SQLAlchemyPlugin needs a database: pass an Engine or a URL such as "
                "'sqlite:///app.db', or a session_factory bound to one."
            )
        self.name = name
        self.keyword = keyword
        self.commit = commit
        self.create = create
        self.metadata = metadata
        self.session_options = session_options
        self.pool_timeout = DEFAULT_POOL_TIMEOUT if pool_timeout is None else float(pool_timeout)
        self._owns_engine = isinstance(engine_or_url, (str, URL))
        self.engine: Engine | None = (
            create_plugin_engine(engine_or_url, self.pool_timeout)
            if isinstance(engine_or_url, (str, URL))
            else engine_or_url
        )
        self.session_factory: Callable[..., Session] = self._make_factory(
            session_factory, session_options
        )

    def _make_factory(
        self, factory: Callable[..., Session] | None, options: Mapping[str, Any]
    ) -> Callable[..., Session]:
        """A zero-argument callable returning a new Session with ``options`` applied."""
        if factory is None:
            return sessionmaker(**{"bind": self.engine, **options})
        if not callable(factory):
            raise PluginError(
                f"SQLAlchemyPlugin: session_factory must be callable (a sessionmaker), "
                f"got {type(factory).__name__}."
            )
        return functools.partial(factory, **options) if options else factory

    # -- plugin protocol -------------------------------------------------------------

    def setup(self, app: App) -> None:
        """Refuse a second plugin claiming the same keyword or name; create tables if asked."""
        claim_keyword(app, self)
        for other in app.plugins:
            if other is self:
                raise PluginError(f"{self!r} is already installed on this app.")
            if isinstance(other, SQLAlchemyPlugin) and other.name == self.name:
                raise PluginError(
                    f"{self!r} cannot be installed: {other!r} already uses the name "
                    f"{self.name!r}, and only one plugin of a name is applied to a route. "
                    f"Give the second one another name "
                    f"(SQLAlchemyPlugin(..., name='sqlalchemy_2'))."
                )
        if self.create:
            self.create_tables()

    def create_tables(self) -> None:
        """Create the metadata's missing tables (``metadata.create_all``) on the engine."""
        if self.metadata is None or self.engine is None:
            raise PluginError(
                "SQLAlchemyPlugin.create_tables() needs both metadata= and an engine or URL."
            )
        try:
            self.metadata.create_all(self.engine)
        except sa_exc.SQLAlchemyError as error:
            raise PluginError(
                f"SQLAlchemyPlugin could not create the tables on "
                f"{masked(self.engine.url)}: {error}"
            ) from error

    def apply(self, callback: Callable[..., Any], route: Route) -> Callable[..., Any]:
        """Wrap ``callback`` if the route's callback takes the keyword; else return it unchanged."""
        options = self._route_options(route)
        if options is None:
            return callback
        keyword = options.get("keyword", self.keyword)
        if keyword not in route.get_callback_args():
            return callback
        if re.search(rf"<{re.escape(keyword)}(?::[^>]*)?>", route.rule or ""):
            raise PluginError(
                f"Route {route.method} {route.rule!r}: the URL argument <{keyword}> has the "
                f"same name as the session keyword {keyword!r} of {self!r}. Rename one of them."
            )
        commit: bool = options.get("commit", self.commit)
        factory = self.session_factory
        session_options = {k: v for k, v in options.items() if k not in _ROUTE_OPTIONS}
        if "session_factory" in options or session_options:
            factory = self._make_factory(
                options.get("session_factory"), {**self.session_options, **session_options}
            )
        return self._wrap(callback, keyword, factory, commit)

    def _route_options(self, route: Route) -> dict[str, Any] | None:
        """The route's ``sqlalchemy=`` config as a dict; None if the route turned the plugin off."""
        where = f"route {route.method} {route.rule!r}"
        given = route.config.get("sqlalchemy")
        misplaced = _APP_WIDE_OPTIONS & set(given) if isinstance(given, Mapping) else set()
        if misplaced:  # before the check of known names: this says why
            raise PluginError(
                f"{where}: {sorted(misplaced)} can only be set on the SQLAlchemyPlugin "
                f"itself, not per route."
            )
        known = _ROUTE_OPTIONS | _SESSION_OPTIONS
        config = route_option(route, "sqlalchemy", known, missing=True, plugin=self)
        if config is None:
            return None
        if "keyword" in config:
            _check_keyword(config["keyword"], f"{where}: sqlalchemy['keyword']")
        if "commit" in config:
            _check_commit(config["commit"], f"{where}: sqlalchemy['commit']")
        return config

    def _wrap(
        self,
        callback: Callable[..., Any],
        keyword: str,
        factory: Callable[[], Session],
        commit: bool,
    ) -> Callable[..., Any]:
        """The per-request wrapper: new session in, commit or roll back, close (after the
        body, when the callback answers with a generator: see ``_streaming``)."""

        @functools.wraps(callback)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            session = factory()
            kwargs[keyword] = session
            try:
                result = callback(*args, **kwargs)
            except HTTPResponse as answer:
                if streams(answer.body):
                    answer.body = _stream(answer.body, session, commit and not _is_error(answer))
                else:
                    _end(session, commit and not _is_error(answer))
                raise
            except Exception as error:
                _end(session, False)
                reply = http_error_for(error)
                if reply is None:
                    raise
                raise reply from error
            except BaseException:
                _end(session, False)
                raise
            if isinstance(result, HTTPResponse):
                if streams(result.body):
                    result.body = _stream(result.body, session, commit and not _is_error(result))
                else:
                    _end(session, commit and not _is_error(result))
                return result
            if streams(result):
                return _stream(result, session, commit)
            _end(session, commit)
            return result

        return wrapper

    def close(self) -> None:
        """Dispose of the engine the plugin created from a URL; a passed Engine is the caller's."""
        if self._owns_engine and self.engine is not None:
            self.engine.dispose()

    # -- outside requests ----------------------------------------------------------

    @contextlib.contextmanager
    def session(self, commit: bool | None = None) -> Iterator[Session]:
        """A new session for scripts, jobs and tests, ended as a request's would be.

        >>> with plugin.session() as db:
        ...     db.add(Note(text="hello"))      # committed on leaving the block

        Committed on a normal exit (unless ``commit=False``, or the plugin's ``commit``
        is False), rolled back on an exception, always closed. Database errors raise
        as SQLAlchemy exceptions, not HTTP errors.
        """
        do_commit = self.commit if commit is None else commit
        session = self.session_factory()
        try:
            yield session
        except HTTPResponse as answer:
            _end(session, do_commit and not _is_error(answer), answer_http=False)
            raise
        except BaseException:
            _end(session, False, answer_http=False)
            raise
        _end(session, do_commit, answer_http=False)

    def __repr__(self) -> str:
        where = masked(self.engine.url) if self.engine is not None else "session_factory"
        return f"<SQLAlchemyPlugin name={self.name!r} keyword={self.keyword!r} {where}>"


def _stream(body: Any, session: Session, commit: bool) -> StreamedBody:
    """``body``, with ``session`` kept for it until it is exhausted, fails or is closed.

    What the callback did before returning is committed (or rolled back) now, as for any
    callback: its errors still get their HTTP answer, and a body that makes no query
    holds no connection while it is sent. Queries made by the body run in a transaction
    of their own, ended with the body."""
    try:
        _settle(session, commit, answer_http=True)
    except BaseException:
        _close(session)
        # The app never gets the body, so nobody else closes it (PEP 3333).
        close = getattr(body, "close", None)
        if close is not None:
            close()
        raise
    return StreamedBody(body, functools.partial(_end, session), commit)


def _end(session: Session, commit: bool, answer_http: bool = True) -> None:
    """Commit (or roll back) and always close ``session``."""
    try:
        _settle(session, commit, answer_http)
    finally:
        _close(session)


def _settle(session: Session, commit: bool, answer_http: bool) -> None:
    """Commit (or roll back) the session's transaction, if it has one.

    A session that never began a transaction (unused, or committed by the callback) has
    nothing to end: skipping the empty commit saves ~20 us per request.
    """
    if session.in_transaction():
        if commit:
            _commit(session, answer_http)
        else:
            _rollback(session)


def _close(session: Session) -> None:
    """Close the session (its connection goes back to the pool), logging a failure."""
    try:
        session.close()
    except Exception:
        logger.exception("closing the SQLAlchemy session failed")


def _commit(session: Session, answer_http: bool) -> None:
    """Commit; on failure roll back, then raise the matching ``HTTPError`` (409/400/503)
    when ``answer_http`` and the error has one, else the database error itself."""
    try:
        session.commit()
    except Exception as error:
        _rollback(session)
        answer = http_error_for(error) if answer_http else None
        if answer is None:
            raise
        raise answer from error


def _rollback(session: Session) -> None:
    """Roll back, logging (not raising) a failure: the caller is already ending with an answer."""
    try:
        session.rollback()
    except Exception:
        logger.exception("rolling back the SQLAlchemy session failed")


def _is_error(answer: HTTPResponse) -> bool:
    """True for an ``HTTPError`` or any answer with a 4xx/5xx status."""
    return isinstance(answer, HTTPError) or answer.status_code >= 400


def _check_keyword(keyword: Any, where: str) -> None:
    """A keyword must be a valid Python identifier, since it names a callback argument."""
    if not isinstance(keyword, str) or not keyword.isidentifier():
        raise PluginError(
            f"{where} must be the name of a callback argument, such as 'db'; got {keyword!r}."
        )


def _check_commit(commit: Any, where: str) -> None:
    """``commit`` must be a real bool: a string such as 'no' would silently mean True."""
    if not isinstance(commit, bool):
        raise PluginError(f"{where} must be True or False; got {commit!r}.")


def _check_session_options(options: Mapping[str, Any], where: str) -> None:
    """Refuse option names a SQLAlchemy Session does not take, naming the accepted ones."""
    unknown = set(options) - _SESSION_OPTIONS
    if unknown:
        raise PluginError(
            f"{where}: unknown option(s) {sorted(unknown)}. Accepted: keyword, commit, "
            f"session_factory and the Session options {sorted(_SESSION_OPTIONS)}."
        )
