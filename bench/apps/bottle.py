"""Bottle 0.13: `Bottle()` and route callbacks returning strings and dicts."""

from __future__ import annotations

from typing import Any, Callable

import bottle

from apps._bottle_api import build_bottle_style, router_matcher
from scenarios import Scenario


def build(scenario: Scenario) -> Any:
    """The scenario's Bottle app."""
    return build_bottle_style(bottle, bottle.Bottle, scenario)


def matcher(app: Any, scenario: Scenario) -> Callable[[dict[str, Any]], Any]:
    """Bottle's `Router.match(environ)`."""
    return router_matcher(app)
