"""demijohn: the Bottle API, `demijohn.App()` and route callbacks."""

from __future__ import annotations

from typing import Any, Callable

import demijohn

from apps._bottle_api import build_bottle_style, router_matcher
from scenarios import Scenario


def build(scenario: Scenario) -> Any:
    """The scenario's demijohn app."""
    return build_bottle_style(demijohn, demijohn.App, scenario)


def matcher(app: Any, scenario: Scenario) -> Callable[[dict[str, Any]], Any]:
    """demijohn's `Router.match(environ)` (Bottle's router API)."""
    return router_matcher(app)
