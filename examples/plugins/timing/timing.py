"""A complete demijohn plugin to copy: Server-Timing headers, per route.

    app.install(TimingPlugin())

    @app.get("/report", timing={"metric": "report"})
    def report(): ...

Browsers' developer tools show the header's durations beside each request.
"""

from __future__ import annotations

import functools
import re
import time
from typing import Any, Callable

from demijohn import App, HTTPResponse, PluginError, Route, claim_keyword, response, route_option

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # a metric name is an HTTP token


class TimingPlugin:
    """Adds ``Server-Timing: app;dur=<milliseconds>`` to the answers of every route (or of
    the routes declared with ``timing=True`` when ``all_routes=False``). Per route:
    ``timing=False`` leaves it out, ``timing={"metric": "db"}`` names its metric.
    Answers raised by the callback (``redirect()``, ``abort()``) pass through untouched."""

    name = "timing"  # skip=["timing"] and app.uninstall("timing") find it by this
    api = 2
    keyword = "timing"  # the route option it reads, claimed in setup()

    def __init__(self, metric: str = "app", all_routes: bool = True) -> None:
        self.metric = _checked(metric, "TimingPlugin(metric=...)")
        self.all_routes = all_routes

    def setup(self, app: App) -> None:
        """Called by app.install(): refuse a second plugin reading the `timing` option."""
        claim_keyword(app, self)

    def apply(self, callback: Callable[..., Any], route: Route) -> Callable[..., Any]:
        """Called once per route, never per request: decide everything here."""
        options = route_option(route, self.keyword, {"metric"}, missing=self.all_routes, plugin=self)
        if options is None:
            return callback  # not ours: the route pays nothing
        metric = _checked(options.get("metric", self.metric), f"route {route.rule!r}: timing['metric']", self)
        clock = time.perf_counter

        @functools.wraps(callback)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = clock()  # per-request state lives in locals, never on self
            result = callback(*args, **kwargs)  # a raised answer (redirect(), abort()) passes untouched
            target = result if isinstance(result, HTTPResponse) else response
            target.add_header("Server-Timing", _entry(metric, clock() - started))
            return result

        return timed

    def close(self) -> None:
        """Called by app.uninstall() and app.close(): this plugin holds nothing to release."""


def _entry(metric: str, seconds: float) -> str:
    return f"{metric};dur={seconds * 1000:.3f}"


def _checked(metric: Any, where: str, plugin: object = None) -> str:
    if not isinstance(metric, str) or not _TOKEN.fullmatch(metric):
        raise PluginError(f"{where}: {metric!r} is not a metric name; use letters, digits and -_.", plugin)
    return metric
