"""``python -m demijohn.testing.conformance TARGET``: run the conformance kit over any plugin
without writing a test file, and print a table of the MUST and SHOULD rules it keeps.

TARGET is loaded with :func:`demijohn.load` (``'package.module:Plugin(keyword="db")'``: names,
attribute look-ups, calls and literals only, never ``eval``) once per kit test, so a call
builds a fresh plugin each time. The exit status is 0 when every MUST rule holds (and, with
``--strict``, every SHOULD rule), 1 when one is broken, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import pytest

from ..errors import BottleException
from ..loading import LoadError, load
from ._conformance_rules import MUST, RULES, PluginConformanceWarning, Rule, rule_of
from ._conformance_tools import REQUEST_KEYS

EPILOG = """examples:
  python -m demijohn.testing.conformance 'demijohn_cache:CachePlugin()' --route-config '{"cache": true}'
  python -m demijohn.testing.conformance --as-bottle 'bottle_sqlalchemy:Plugin(engine)' --keyword db
  python -m demijohn.testing.conformance 'myplugin:stopwatch' --strict --json results.json
"""


class UsageError(BottleException, ValueError):
    """A command-line option of the conformance runner has a value it cannot use."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m demijohn.testing.conformance``."""
    parser = argparse.ArgumentParser(
        prog="python -m demijohn.testing.conformance", epilog=EPILOG, formatter_class=argparse.RawTextHelpFormatter,
        description="Run demijohn's plugin conformance kit over a plugin and print which MUST and SHOULD rules "
                    "it keeps.")
    parser.add_argument("target", metavar="TARGET",
                        help="the plugin, as 'package.module:Plugin(args)' (a call builds a fresh one per test) "
                             "or 'package.module:decorator'")
    parser.add_argument("--as-bottle", action="store_true",
                        help="make `import bottle` give demijohn before loading TARGET (for Bottle plugins)")
    parser.add_argument("--strict", action="store_true", help="a broken SHOULD rule fails (exit status 1)")
    parser.add_argument("--keyword", action="append", default=[], metavar="NAME",
                        help="the route callback takes the argument NAME, which the plugin injects (repeatable)")
    parser.add_argument("--route-config", type=_json_object, default={}, metavar="JSON",
                        help="route() keywords the plugin needs to apply, e.g. '{\"cache\": true}'")
    parser.add_argument("--route-config-target", metavar="TARGET",
                        help="route() keywords as a dict loaded from TARGET, for values JSON cannot hold "
                             "(schema objects), e.g. 'myschemas:ROUTE_CONFIG'; merged over --route-config")
    parser.add_argument("--unconcerned", type=_json_object, default=None, metavar="JSON",
                        help="route() keywords of a route the plugin must leave alone (checks identity), e.g. '{}'")
    parser.add_argument("--request", type=_json_object, default={"method": "GET"}, metavar="JSON",
                        help=f"the request the kit sends, with keys {', '.join(sorted(REQUEST_KEYS))}")
    parser.add_argument("--conflict", action="store_true",
                        help="a second plugin from TARGET claims the same resource and must be refused")
    parser.add_argument("--volatile", action="append", default=[], metavar="HEADER",
                        help="a header whose value differs between equal requests (repeatable)")
    parser.add_argument("--define", action="append", default=[], metavar="NAME=TARGET",
                        help="a name TARGET may use, loaded from another target, e.g. "
                             "engine='sqlalchemy:create_engine(\"sqlite://\")' (repeatable)")
    parser.add_argument("--app", metavar="TARGET",
                        help="build each test's app from TARGET instead of App(), e.g. 'demijohn:App(autojson=False)'")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each failure and warning in full")
    return parser


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not valid JSON ({error.msg})") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"{text!r} is not a JSON object ({{...}})")
    return value


def as_bottle() -> None:
    """Make ``import bottle`` give demijohn (:func:`demijohn.install_as_bottle`); a usage
    error when the real Bottle is already imported."""
    from ..as_bottle import BottleAlreadyImportedError, install_as_bottle

    try:
        install_as_bottle()
    except BottleAlreadyImportedError as error:
        raise UsageError(f"--as-bottle: {error}") from None


def settings_class(settings: dict[str, Any]) -> type:
    """The author's side of a conformance class (settings and hooks) built from ``settings``
    (the command line's options as a dict); the generated test module mixes it into
    :class:`~demijohn.testing.conformance.PluginConformance`."""
    if settings["as_bottle"]:
        as_bottle()
    names = {name: load(target) for name, target in settings["define"].items()}
    keywords = tuple(settings["keyword"])

    class CommandLineSettings:
        strict = settings["strict"]
        route_config = {**settings["route_config"], **_loaded_dict(settings["route_config_target"], names)}
        unconcerned_route_config = settings["unconcerned"]
        request = settings["request"]
        volatile_headers = frozenset(header.lower() for header in settings["volatile"])

        def make_plugin(self) -> Any:
            return load(settings["target"], **names)

        def make_callback(self) -> Callable[..., Any]:
            return _callback_taking(keywords)

        def make_conflicting_plugin(self) -> Any:
            return self.make_plugin() if settings["conflict"] else None

        def make_app(self) -> Any:
            return load(settings["app"] or "demijohn:App()", **names)

    return CommandLineSettings


def _loaded_dict(target: str | None, names: dict[str, Any]) -> dict[str, Any]:
    value = load(target, **names) if target else {}
    if not isinstance(value, dict):
        raise UsageError(f"--route-config-target {target!r} gave {type(value).__name__}, not a dict")
    return value


def _callback_taking(keywords: tuple[str, ...]) -> Callable[..., Any]:
    """A route callback whose signature names ``keywords`` (what plugins inspect to decide
    whether to inject an argument) and which answers with the types it was given."""
    import inspect

    def conformance_callback(**given: Any) -> str:
        return "conformance " + ",".join(f"{name}={type(value).__name__}" for name, value in sorted(given.items()))

    conformance_callback.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in keywords])
    return conformance_callback


@dataclass
class Result:
    """The outcome of one kit test: ``pass``, ``FAIL``, ``warn`` (a broken SHOULD rule) or
    ``n/a`` (skipped: the rule does not apply to this plugin), with the report."""

    test: str
    rule: Rule
    outcome: str = "pass"
    report: str = ""
    reasons: list[str] = field(default_factory=list)


class Collector:
    """A pytest plugin object that records each kit test's outcome and warnings."""

    def __init__(self) -> None:
        self.results: dict[str, Result] = {}
        self.errors: list[str] = []

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """Keep the report of a module that could not be collected."""
        if report.failed:
            self.errors.append(report.longreprtext)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Note each kit test and its rule, in the order the kit defines them."""
        for item in items:
            rule = rule_of(getattr(item, "obj", None))
            if rule is not None:
                self.results[item.name] = Result(item.name, rule)

    def _result(self, nodeid: str) -> Result | None:
        return self.results.get(nodeid.rsplit("::", 1)[-1])

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Record a failure or a skip of a kit test."""
        result = self._result(report.nodeid)
        if result is None or report.passed:
            return
        if report.skipped:
            result.outcome = "n/a"
            longrepr = report.longrepr
            result.report = str(longrepr[2]) if isinstance(longrepr, tuple) else str(longrepr)
        elif report.failed:
            result.outcome, result.report = "FAIL", report.longreprtext

    def pytest_warning_recorded(self, warning_message: Any, when: str, nodeid: str, location: Any) -> None:
        """Record a SHOULD rule the plugin breaks (a PluginConformanceWarning)."""
        result = self._result(nodeid)
        if result is not None and issubclass(warning_message.category, PluginConformanceWarning):
            if result.outcome == "pass":
                result.outcome = "warn"
            result.report = str(warning_message.message)


def run(settings: dict[str, Any]) -> tuple[list[Result], list[str]]:
    """Run the kit in this process over a generated test module; return one result per kit
    test, and the reports of any errors that stopped pytest from collecting it."""
    collector = Collector()
    with tempfile.TemporaryDirectory(prefix="demijohn-conformance-") as directory:
        (Path(directory) / "pytest.ini").write_text("[pytest]\n")  # no config of the caller's applies
        module = Path(directory) / "test_plugin_conformance.py"
        module.write_text(textwrap.dedent(f"""\
            import json

            from demijohn.testing._conformance_cli import settings_class
            from demijohn.testing.conformance import PluginConformance


            class TestPlugin(settings_class(json.loads({json.dumps(settings)!r})), PluginConformance):
                pass
        """))
        pytest.main(["-p", "no:terminal", "-p", "no:cacheprovider", "-W", "default::" + _warning_path(),
                     "--rootdir", directory, str(module)], plugins=[collector])
    return _in_kit_order(collector.results), collector.errors


def _warning_path() -> str:
    return f"{PluginConformanceWarning.__module__}.{PluginConformanceWarning.__name__}"


def _in_kit_order(results: dict[str, Result]) -> list[Result]:
    """MUST rules first, then SHOULD rules, in the order of :data:`RULES`, then as collected."""
    collected, rules = list(results.values()), list(RULES)
    return sorted(collected, key=lambda result: (result.rule.level != MUST, rules.index(result.rule.key),
                                                 collected.index(result)))


def table(results: Sequence[Result]) -> list[str]:
    """The results as a plain-text table, MUST rules first, then a one-line summary."""
    width = max((len(result.test) for result in results), default=10)
    lines = [f"{'level':<7} {'rule':<12} {'test':<{width}}  result", "-" * (width + 30)]
    lines += [f"{r.rule.level:<7} {r.rule.key:<12} {r.test:<{width}}  {r.outcome}" for r in results]
    lines.append(summary(results))
    return lines


def summary(results: Sequence[Result]) -> str:
    """``MUST: 27 pass, 1 FAIL, 2 n/a; SHOULD: 2 pass, 1 warn`` for ``results``."""
    parts = []
    for level in ("MUST", "SHOULD"):
        counts: dict[str, int] = {}
        for result in results:
            if result.rule.level == level:
                counts[result.outcome] = counts.get(result.outcome, 0) + 1
        parts.append(f"{level}: " + ", ".join(f"{count} {outcome}" for outcome, count in counts.items()))
    return "; ".join(parts)


def settings_from(args: argparse.Namespace) -> dict[str, Any]:
    """The options of the command line as the dict :func:`settings_class` takes."""
    unknown = set(args.request) - REQUEST_KEYS
    if unknown:
        raise UsageError(f"--request has unknown key(s) {sorted(unknown)}; use {sorted(REQUEST_KEYS)}")
    define = {}
    for item in args.define:
        name, has_target, target = item.partition("=")
        if not has_target or not name.strip().isidentifier():
            raise UsageError(f"--define {item!r}: write NAME=TARGET, e.g. engine='sqlalchemy:create_engine(\"sqlite://\")'")
        define[name.strip()] = target.strip()
    return {"target": args.target, "as_bottle": args.as_bottle, "strict": args.strict, "keyword": args.keyword,
            "route_config": args.route_config, "unconcerned": args.unconcerned, "request": args.request,
            "conflict": args.conflict, "volatile": args.volatile, "define": define, "app": args.app,
            "route_config_target": args.route_config_target}


def check_target(settings: dict[str, Any]) -> None:
    """Load the target once, so a typo is one clear line instead of thirty failed tests."""
    if settings["as_bottle"]:
        as_bottle()
    try:
        names = {name: load(target) for name, target in settings["define"].items()}
        plugin = load(settings["target"], **names)
        _loaded_dict(settings["route_config_target"], names)
    except (LoadError, ImportError, UsageError):
        raise
    except Exception as error:  # the factory's own error, e.g. a missing argument
        raise UsageError(f"loading {settings['target']!r} raised {type(error).__name__}: {error}") from error
    if not callable(plugin) and not callable(getattr(plugin, "apply", None)):
        raise UsageError(f"{settings['target']!r} gave {plugin!r}, which is not a plugin: neither callable nor "
                         "an object with apply(callback, route)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        settings = settings_from(args)
        check_target(settings)
    except (UsageError, LoadError) as error:
        print(f"conformance: error: {error}", file=sys.stderr)
        return 2
    except ImportError as error:  # raised by the target's own imports
        hint = " (a Bottle plugin? add --as-bottle)" if error.name == "bottle" else ""
        print(f"conformance: error: loading {args.target!r} failed: {error}{hint}", file=sys.stderr)
        return 2
    results, errors = run(settings)
    if not results:
        print("conformance: error: no kit test ran:\n" + "\n".join(errors), file=sys.stderr)
        return 2
    print("\n".join(table(results)))
    if args.verbose:
        for result in results:
            if result.outcome in ("FAIL", "warn"):
                print(f"\n== {result.test} ({result.outcome})\n{result.report}")
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"target": args.target, "results": [{"test": r.test, "rule": r.rule.key, "level": r.rule.level,
                                                 "outcome": r.outcome, "report": r.report} for r in results]},
            indent=2) + "\n")
    return 1 if any(result.outcome == "FAIL" for result in results) else 0
