"""Process-wide state: the debug flag that :func:`debug` sets.

A leaf module, so the app, the templates and the servers read one flag without importing
each other. ``demijohn.DEBUG`` (and ``bottle.DEBUG`` after :func:`demijohn.install_as_bottle`)
reads it live.
"""

from __future__ import annotations


#: Debug mode for every app: tracebacks in error pages, templates re-read on each render,
#: plugins applied when a route is added. Set it with :func:`demijohn.debug`.
DEBUG = False


def set_debug(mode: bool = True) -> None:
    """Switch debug mode for the whole process (what :func:`demijohn.debug` does)."""
    global DEBUG
    DEBUG = bool(mode)


def debug(mode: bool = True) -> None:
    """Switch debug mode for every app: tracebacks in error pages, plugins applied at once.
    ``demijohn.DEBUG`` reads the current value."""
    set_debug(mode)


class DebugFlag:
    """A read-only class attribute that reads :data:`DEBUG`: ``App.debug_mode`` and
    ``app.debug_mode`` both give the live value."""

    def __get__(self, obj: object, cls: object = None) -> bool:
        return DEBUG
