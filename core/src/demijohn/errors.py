"""The exception hierarchy: every error the framework raises derives from one base.

Catch :class:`BottleException` (also exported as ``DemijohnError``) to handle any of them.
"""

from __future__ import annotations

from typing import Any


class BottleException(Exception):
    """Base class of every error demijohn raises on its own behalf."""


DemijohnError = BottleException


class RouteError(BottleException):
    """A route could not be added, matched or built."""


class RouteReset(BottleException):
    """Raise inside a callback (or plugin) to rebuild the route's callback and call it again."""


class RouteSyntaxError(RouteError):
    """A route rule is malformed; the message names the rule and the offending part."""


class RouteBuildError(RouteError):
    """A URL could not be built: unknown route name or a missing/invalid wildcard value."""


class PluginError(BottleException):
    """A plugin was refused or failed to set up; ``plugin`` is the offending object."""

    def __init__(self, message: str, plugin: Any = None) -> None:
        super().__init__(message)
        self.plugin = plugin


class NotAPluginError(PluginError, TypeError):
    """``install()`` was given something that is neither callable nor has ``apply`` (a
    ``TypeError`` too, as Bottle raises)."""
