"""A SQLAlchemy ``Session`` per request for demijohn apps.

>>> app.install(SQLAlchemyPlugin("sqlite:///app.db", metadata=Base.metadata, create=True))
>>> @app.post("/notes")
... def add_note(db):              # `db` is a new Session, committed when this returns
...     db.add(Note(text=request.json["text"]))
...     return {"ok": True}

Everything that can be decided once is decided in ``apply`` (which runs once per
route): whether the route takes the keyword, the effective options and the session
factory. A request then only builds a session, calls the route and ends the session.
"""

from __future__ import annotations

from ._engine import DEFAULT_POOL_TIMEOUT
from .errors import http_error_for
from .plugin import SQLAlchemyPlugin

__all__ = ["DEFAULT_POOL_TIMEOUT", "SQLAlchemyPlugin", "http_error_for", "__version__"]

__version__ = "0.1.0"
