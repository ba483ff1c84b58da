"""Turn database errors into HTTP answers a client can act on.

A request whose transaction fails must not answer with a bare 500: a constraint
conflict is the client's to resolve (409), a serialization failure or deadlock is
resolved by trying again (409, "retry"), and a lost or unavailable database is the
server's (503 with ``Retry-After``). Errors that say nothing about the request
(a syntax error in the app's SQL, a missing table) are left alone, so they stay
500s and reach the log with their traceback.

The answer is an ``HTTPError`` whose body is the message: the app's error page (or its
``@app.error(code)`` handler) renders it. A client that asks for JSON (``Accept`` naming
JSON, or a JSON request body) gets an RFC 9457 problem document instead::

    {"type": "about:blank", "title": "Conflict", "status": 409,
     "detail": "The change conflicts with data already stored ...", "retry": false}

PEP 249 puts both "the database is unavailable" and (in sqlite3) "syntax error" under
``OperationalError``, so the driver's own code (SQLSTATE, SQLite result code, MySQL
error number) decides which is which.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

from demijohn import HTTPError, request
from sqlalchemy import exc as sa_exc

__all__ = ["http_error_for", "RETRY_AFTER_SECONDS"]

logger = logging.getLogger("demijohn_sqlalchemy")

#: Value of the ``Retry-After`` header sent with a 503.
RETRY_AFTER_SECONDS = 1

# SQLSTATE codes of "try the same transaction again" failures: serialization_failure
# and deadlock_detected (PostgreSQL, and any driver that reports SQLSTATE).
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
# SQLSTATE classes of "the server cannot serve now": connection exception,
# insufficient resources, operator intervention (shutdown, statement timeout);
# plus lock_not_available (NOWAIT, lock_timeout).
_UNAVAILABLE_SQLSTATE_CLASSES = frozenset({"08", "53", "57"})
_UNAVAILABLE_SQLSTATES = frozenset({"55P03"})
# MySQL error numbers: deadlock (retry) and lock wait timeout, server gone, too many connections.
_MYSQL_DEADLOCK = 1213
_MYSQL_UNAVAILABLE = frozenset({1040, 1205, 2002, 2003, 2006, 2013})
# SQLite result codes SQLITE_BUSY and SQLITE_LOCKED ("database is locked").
_SQLITE_BUSY = frozenset({5, 6})
# Integrity errors that reject the request's own values rather than conflict with stored
# data: not_null_violation and check_violation (SQLSTATE), SQLITE_CONSTRAINT_NOTNULL and
# SQLITE_CONSTRAINT_CHECK, MySQL "column cannot be null" and "check constraint violated".
_INVALID_SQLSTATES = frozenset({"23502", "23514"})
_SQLITE_INVALID = frozenset({1299, 275})
_MYSQL_INVALID = frozenset({1048, 3819})

LOST_CONNECTION = (
    "The connection to the database was lost while handling the request; nothing was "
    "saved. Retry the request."
)
UNAVAILABLE = (
    "The database is unavailable or too busy to handle the request; nothing was saved. "
    "Retry the request in a moment."
)
POOL_EXHAUSTED = (
    "Every database connection is busy; nothing was saved. Retry the request in a moment."
)
SERIALIZATION_FAILURE = (
    "The change conflicted with another transaction running at the same time "
    "(serialization failure or deadlock); nothing was saved. Retry the request."
)
INTEGRITY_CONFLICT = (
    "The change conflicts with data already stored (a unique or foreign-key constraint "
    "failed); nothing was saved. Change the request and send it again."
)
MISSING_VALUE = (
    "The database refused the change: a required value is missing or a value breaks a "
    "check constraint; nothing was saved. Fix the request and send it again."
)
INVALID_VALUE = (
    "The database refused a value in the request (too long, out of range or of the "
    "wrong type); nothing was saved. Fix the value and send the request again."
)


def _sqlstate(error: sa_exc.DBAPIError) -> str | None:
    """The SQLSTATE of the driver's exception: ``sqlstate`` (psycopg 3), ``pgcode`` (psycopg2)."""
    original = error.orig
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return code if isinstance(code, str) else None


def _mysql_errno(error: sa_exc.DBAPIError) -> int | None:
    """The MySQL error number (first argument of a mysqlclient/PyMySQL error), if any."""
    args = getattr(error.orig, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _is_retryable(error: sa_exc.DBAPIError) -> bool:
    """Serialization failure or deadlock: the same transaction may succeed if tried again."""
    return _sqlstate(error) in _RETRYABLE_SQLSTATES or _mysql_errno(error) == _MYSQL_DEADLOCK


def _is_invalid_value(error: sa_exc.IntegrityError) -> bool:
    """True when an ``IntegrityError`` is a not-null or check violation (400, not 409)."""
    original = error.orig
    if type(original).__module__.startswith("sqlite3"):
        code = getattr(original, "sqlite_errorcode", None)
        if isinstance(code, int):
            return code in _SQLITE_INVALID
        return str(original).startswith(("NOT NULL constraint", "CHECK constraint"))
    return _sqlstate(error) in _INVALID_SQLSTATES or _mysql_errno(error) in _MYSQL_INVALID


def _is_unavailable(error: sa_exc.OperationalError) -> bool:
    """True when an ``OperationalError`` means the database cannot serve now (503)."""
    original = error.orig
    if type(original).__module__.startswith("sqlite3"):
        code = getattr(original, "sqlite_errorcode", None)
        return (code & 0xFF) in _SQLITE_BUSY if isinstance(code, int) else "locked" in str(original)
    if hasattr(original, "sqlstate") or hasattr(original, "pgcode"):
        state = _sqlstate(error)
        # No SQLSTATE from a PostgreSQL driver: the error arose client-side (connect failed).
        return (
            state is None
            or state[:2] in _UNAVAILABLE_SQLSTATE_CLASSES
            or state in _UNAVAILABLE_SQLSTATES
        )
    errno = _mysql_errno(error)
    # Other drivers: PEP 249 defines OperationalError as "not under the programmer's control".
    return errno is None or errno in _MYSQL_UNAVAILABLE or errno >= 2000


def http_error_for(error: BaseException, as_json: bool | None = None) -> HTTPError | None:
    """Return the ``HTTPError`` that answers the database ``error``, or None to let it raise.

    Lost connection (``connection_invalidated``): 503. Serialization failure or
    deadlock (SQLSTATE 40001/40P01): 409 asking to retry. ``IntegrityError``: 409 for a
    unique or foreign-key conflict, 400 for a not-null or check violation. ``DataError``:
    400. An ``OperationalError`` meaning "unavailable" (connect failed, shutdown,
    timeout, database locked) or a pool timeout: 503. Everything else (syntax errors,
    missing tables, non-database errors): None.

    ``as_json`` chooses a JSON problem body; None decides from the current request.
    """
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            status, message = 503, LOST_CONNECTION
        elif _is_retryable(error):
            status, message = 409, SERIALIZATION_FAILURE
        elif isinstance(error, sa_exc.IntegrityError):
            status, message = (
                (400, MISSING_VALUE) if _is_invalid_value(error) else (409, INTEGRITY_CONFLICT)
            )
        elif isinstance(error, sa_exc.DataError):
            status, message = 400, INVALID_VALUE
        elif isinstance(error, sa_exc.OperationalError) and _is_unavailable(error):
            status, message = 503, UNAVAILABLE
        else:
            return None
    elif isinstance(error, sa_exc.TimeoutError):
        status, message = 503, POOL_EXHAUSTED
    else:
        return None
    # Answered, so not logged by the framework: keep a trace for the operator.
    logger.warning("database error answered with %d: %s", status, _one_line(error))
    retry = status == 503 or message is SERIALIZATION_FAILURE
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else {}
    if as_json if as_json is not None else _client_wants_json():
        problem = {
            "type": "about:blank",
            "title": HTTPStatus(status).phrase,
            "status": status,
            "detail": message,
            "retry": retry,
        }
        headers["Content-Type"] = "application/problem+json"
        return HTTPError(status, json.dumps(problem), exception=error, **headers)
    return HTTPError(status, message, exception=error, **headers)


def _client_wants_json() -> bool:
    """True inside a request that accepts JSON or sent a JSON body; False outside requests."""
    try:
        accept = request.get_header("Accept", "") or ""
        content_type = request.content_type or ""
    except RuntimeError:  # not inside a request: nobody to negotiate with
        return False
    return "json" in accept.lower() or "json" in content_type.lower()


def _one_line(error: BaseException) -> str:
    """The first line of the error's text, with its class name."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"
