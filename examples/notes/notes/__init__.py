"""Notes: the demo app of demijohn. Sign up, log in, keep notes; a JSON API under
``/api/notes`` with its OpenAPI document; a cached public page.

It uses all four first-party plugins: sessions (``demijohn-session``), the database
(``demijohn-sqlalchemy``), validated JSON (``demijohn-jsonschema``) and the page cache
(``demijohn-cache``). ``create_app()`` builds it from :class:`Settings`; ``app`` is the
app built from the environment, for WSGI servers (``gunicorn notes:app``).
"""

from __future__ import annotations

from .settings import Settings
from .web import create_app

__all__ = ["Settings", "create_app", "app"]


def __getattr__(name: str) -> object:
    # Build the module-level app on first use, so importing the package has no side effects.
    if name == "app":
        globals()["app"] = create_app(Settings.from_environ())
        return globals()["app"]
    raise AttributeError(name)
