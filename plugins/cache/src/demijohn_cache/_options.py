"""Validation of the plugin's options and the per-route settings they resolve to.

Everything here runs at construction or `apply` time, never per request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, cast

from demijohn import PluginError

KeyFunction = Callable[[Any], str]

DEFAULT_STATUSES = frozenset({200, 203, 300, 301, 404, 410})
ROUTE_OPTIONS = frozenset({"ttl", "vary", "tags", "key", "statuses", "authorization"})


@dataclass(frozen=True, slots=True)
class RouteCache:
    """The cache settings of one route, resolved once at `apply` time."""

    ttl: float
    vary: tuple[str, ...]
    tags: tuple[str, ...]
    key: KeyFunction | None
    statuses: frozenset[int]
    authorization: bool

    def tags_for(self, path: str) -> tuple[str, ...]:
        """The index names an entry of this route is stored under: its path and tags."""
        return (f"path:{path}",) + tuple(f"tag:{tag}" for tag in self.tags)


class Defaults(Protocol):
    """The plugin-wide settings a route option falls back to."""

    ttl: float
    vary: tuple[str, ...]
    key: KeyFunction | None
    statuses: frozenset[int]


def resolve_route_option(option: dict[str, Any], where: str, defaults: Defaults) -> RouteCache:
    """Turn a route's `cache=` options (checked by `demijohn.route_option`) into its settings,
    or raise `PluginError` saying which route and option is wrong and what would be right."""
    try:
        return RouteCache(
            ttl=check_ttl(option.get("ttl", defaults.ttl), where + "{'ttl': ...}"),
            vary=defaults.vary + check_names(option.get("vary", ()), where + "{'vary': ...}"),
            tags=check_names(option.get("tags", ()), where + "{'tags': ...}"),
            key=check_key(option.get("key", defaults.key), where + "{'key': ...}"),
            statuses=check_statuses(option.get("statuses", defaults.statuses), where + "{'statuses': ...}"),
            authorization=bool(option.get("authorization", False)),
        )
    except (TypeError, ValueError) as error:
        raise PluginError(str(error)) from error


def check_ttl(value: Any, where: str) -> float:
    """A positive number of seconds, as float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{where} {value!r} is not valid; pass a positive number of seconds")
    return float(value)


def check_names(value: Any, where: str) -> tuple[str, ...]:
    """A list of non-empty str (header names or tags), as a tuple."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(f"{where} {value!r} is not valid; pass a list of str, e.g. ['Accept-Language']")
    names = tuple(value)
    if not all(isinstance(name, str) and name for name in names):
        raise TypeError(f"{where} {value!r} is not valid; every item must be a non-empty str")
    return names


def check_key(value: Any, where: str) -> KeyFunction | None:
    """None or a key function."""
    if value is not None and not callable(value):
        raise TypeError(f"{where} {value!r} is not callable; pass a function (request) -> str")
    return cast("KeyFunction | None", value)


def check_statuses(value: Any, where: str) -> frozenset[int]:
    """A collection of HTTP status codes, as a frozenset."""
    if isinstance(value, (str, int)) or not isinstance(value, Iterable):
        raise TypeError(f"{where} {value!r} is not valid; pass a list of status codes, e.g. [200]")
    codes = frozenset(value)
    if not all(isinstance(code, int) and not isinstance(code, bool) and 100 <= code < 600 for code in codes):
        raise ValueError(f"{where} {value!r} is not valid; every item must be an HTTP status code")
    return codes
