"""Rendering the HTML pages: every page gets the signed-in user and a form token at hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from demijohn import request, response, template
from demijohn_session import Session, SessionBackendUnavailable

from .csrf import CSRF

HERE = Path(__file__).parent
VIEWS = [str(HERE / "views")]
SESSION_KEY = "bottle.request.ext.session"  # where the session plugin puts the request's session


class Renderer:
    """Renders the templates of ``views/`` for the current request.

    ``sessions`` and ``cookie_name`` are the session plugin's store and cookie: an error page
    (a 404 matches no route, so no plugin ran) reads the visitor's session itself, read-only,
    to show the right navigation.
    """

    def __init__(self, csrf: CSRF, sessions: Any, cookie_name: str = "session") -> None:
        self.csrf = csrf
        self.sessions = sessions
        self.cookie_name = cookie_name

    def __call__(self, name: str, status: int = 200, **variables: Any) -> str:
        """Render ``views/<name>`` with ``status``; ``errors`` and ``values`` default to empty."""
        response.status = status
        session = self.session()
        variables.setdefault("errors", {})
        variables.setdefault("values", {})
        return template(name, template_lookup=VIEWS, username=self._username(session),
                        csrf_token=lambda: self.csrf.token(session), plural=plural, **variables)

    @staticmethod
    def _username(session: Any) -> str | None:
        # The 503 page of a session store outage must still render: it shows the visitor signed out.
        try:
            return session.get("username")
        except SessionBackendUnavailable:
            return None

    def session(self) -> Any:
        """The request's session: the plugin's when the route has one, else a read-only one that
        is never saved (and never fails: an unreachable store reads as signed out)."""
        session = request.environ.get(SESSION_KEY)
        if session is None:
            session = request.environ[SESSION_KEY] = Session(self.sessions, self.cookie_name, required=False)
        return session


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``'1 note'``, ``'2 notes'``, ``'1 person'`` / ``'2 people'`` (with ``plural_form``)."""
    return f"{count:,} {singular if count == 1 else plural_form or singular + 's'}"
