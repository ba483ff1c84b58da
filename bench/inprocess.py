"""In-process WSGI benchmark: demijohn against Bottle, Falcon, Flask and a bare callable.

Each framework's WSGI callable is called directly with a fresh copy of a prepared environ,
a trivial `start_response`, its body iterable consumed and `close()` called when present,
so the number is the framework's own cost (plus the same small harness cost for all).
Every (scenario, framework) pair is a *cell*; each round runs one timed batch of every
cell in a shuffled order, so all frameworks share the machine's slow and fast moments,
and the report gives each cell's median over the rounds.

    python bench/inprocess.py                 # full run, prints tables
    python bench/inprocess.py --smoke         # one round of everything, asserts answers
    python bench/inprocess.py --profile demijohn:hello,demijohn:404
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import io
import json
import math
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, ContextManager

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from apps import FRAMEWORKS  # noqa: E402
from scenarios import SCENARIOS, NotApplicable, Scenario, make_environ, plain_calls  # noqa: E402

# CPU time of this thread, not wall time: the machine may be shared (other processes'
# load is common on a 2-core box), and time spent descheduled is not the framework's.
# There is no I/O in an in-process request, so CPU time is all of a request's time.
perf_counter_ns = time.thread_time_ns


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return _write


def _write(data: bytes) -> None:
    pass


@dataclass
class Cell:
    """One framework serving one scenario, ready to be timed."""

    framework: str
    scenario: Scenario
    target: Callable[..., Any]  # the WSGI app, or the router's match for match_only
    environ: dict[str, Any]
    batch: int = 1
    samples: list[float] = field(default_factory=list)  # ns per call, one per round
    # Entered around every batch, outside the timed region (the pure-Python Falcon
    # swaps its own modules into sys.modules there).
    context: Callable[[], ContextManager[Any]] = contextlib.nullcontext

    def run(self, count: int) -> int:
        """Time `count` calls; return the elapsed nanoseconds."""
        with self.context():
            if self.scenario.match_only:
                return self._run_match(count)
            if self.scenario.data:
                return self._run_with_body(count)
            copy = self.environ.copy
            target = self.target
            start_response = _start_response
            start = perf_counter_ns()
            for _ in range(count):
                body = target(copy(), start_response)
                for _chunk in body:
                    pass
                close = getattr(body, "close", None)
                if close is not None:
                    close()
            return perf_counter_ns() - start

    def _run_match(self, count: int) -> int:
        copy = self.environ.copy
        target = self.target
        start = perf_counter_ns()
        for _ in range(count):
            target(copy())
        return perf_counter_ns() - start

    def _run_with_body(self, count: int) -> int:
        """Like `run`, with a fresh `wsgi.input` per request (the same cost for every framework)."""
        copy = self.environ.copy
        target = self.target
        start_response = _start_response
        data = self.scenario.data
        stream = io.BytesIO
        start = perf_counter_ns()
        for _ in range(count):
            environ = copy()
            environ["wsgi.input"] = stream(data)
            body = target(environ, start_response)
            for _chunk in body:
                pass
            close = getattr(body, "close", None)
            if close is not None:
                close()
        return perf_counter_ns() - start


@dataclass
class CallCell:
    """The yardstick: a plain function behind `depth` pass-through wrappers."""

    depth: int
    batch: int = 1
    samples: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.function = plain_calls(self.depth)

    def run(self, count: int) -> int:
        function = self.function
        start = perf_counter_ns()
        for _ in range(count):
            function()
        return perf_counter_ns() - start


def load_frameworks(names: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Import `apps.<name>` for each name; return the modules and why others are missing."""
    modules, missing = {}, {}
    for name in names:
        try:
            modules[name] = importlib.import_module(f"apps.{name}")
        except ImportError as error:
            missing[name] = f"not importable: {error}"
    return modules, missing


def build_cells(modules: dict[str, Any], scenarios: list[Scenario],
                build_seconds: dict[str, dict[str, float]] | None = None,
                ) -> tuple[list[Cell], dict[str, dict[str, str]]]:
    """Build every framework's app for every scenario; collect the n/a ones with reasons.

    Scenarios with the same route table share one app (building 10,000 routes takes
    minutes in some peers); `build_seconds` receives how long each build took.
    """
    cells, not_applicable = [], {}
    built: dict[tuple[Any, ...], Any] = {}
    for scenario in scenarios:
        for name, module in modules.items():
            key = (name, scenario.routes, scenario.target, scenario.kind, scenario.plugins)
            context = getattr(module, "activate", contextlib.nullcontext)
            try:
                with context():
                    if key not in built:
                        started = time.perf_counter()
                        built[key] = module.build(scenario)
                        if build_seconds is not None:
                            build_seconds.setdefault(scenario.name, {})[name] = (
                                time.perf_counter() - started)
                    app = built[key]
                    target = module.matcher(app, scenario) if scenario.match_only else app
            except NotApplicable as reason:
                not_applicable.setdefault(scenario.name, {})[name] = str(reason)
                continue
            cell = Cell(name, scenario, target, make_environ(scenario), context=context)
            prime(cell)
            cells.append(cell)
    return cells, not_applicable


def prime(cell: Cell) -> None:
    """Make the scenario's priming request once and complete the timed request's environ
    with what it answered: its ETag as If-None-Match, its cookies as Cookie."""
    scenario = cell.scenario
    if scenario.prime is None:
        return
    environ = make_environ(scenario)
    environ["PATH_INFO"] = scenario.prime_path or scenario.path
    environ.pop("HTTP_IF_NONE_MATCH", None)
    with cell.context():
        status, _, headers, errors = call_once(cell, environ)
    if status >= 400:
        raise SystemExit(f"{cell.framework} {scenario.name}: priming answered {status}: {errors[-300:]}")
    if scenario.prime == "etag":
        etags = [value for key, value in headers if key.lower() == "etag"]
        if etags:
            cell.environ["HTTP_IF_NONE_MATCH"] = etags[0]
    elif scenario.prime == "cookie":
        pairs = [value.split(";", 1)[0] for key, value in headers if key.lower() == "set-cookie"]
        cell.environ["HTTP_COOKIE"] = "; ".join(pairs)


def call_once(cell: Cell, environ: dict[str, Any] | None = None,
              ) -> tuple[int, bytes, list[tuple[str, str]], str]:
    """One request through the cell's app: (status code, body, headers, what went to
    wsgi.errors)."""
    errors = io.StringIO()
    environ = (environ or cell.environ).copy()
    environ["wsgi.errors"] = errors
    environ["wsgi.input"] = io.BytesIO(cell.scenario.data)
    seen: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen.append((status, headers))
        return _write

    body = cell.target(environ, start_response)
    try:
        data = b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    if not seen:
        raise AssertionError("start_response was never called")
    status, headers = seen[-1]
    return int(status.split()[0]), data, headers, errors.getvalue()


def check_cell(cell: Cell) -> str | None:
    """Return why the cell's answer is wrong, or None when it is right."""
    scenario = cell.scenario
    with cell.context():
        if scenario.match_only:
            found = cell.target(cell.environ.copy())
            return None if found else f"router found nothing for {scenario.path}"
        status, body, headers, errors = call_once(cell)
    if status != scenario.status:
        return f"status {status}, expected {scenario.status}; body {body[:200]!r}; errors {errors[-500:]!r}"
    if not scenario.check_body(body):
        return f"body {body[:200]!r}, expected {(scenario.body or b'')[:200]!r}"
    return scenario.check_headers(headers)


def calibrate(cell: Cell | CallCell, batch_ns: float) -> None:
    """Pick the batch size so that one batch takes about `batch_ns`."""
    count = 1
    while True:
        elapsed = cell.run(count)
        if elapsed >= batch_ns / 10 or count >= 1_000_000:
            break
        count *= 4
    per_call = max(elapsed / count, 1.0)
    cell.batch = max(1, math.ceil(batch_ns / per_call))


def measure(cells: list[Any], rounds: int, seed: int, progress: bool = True) -> None:
    """Run `rounds` rounds; each times one batch of every cell, in a fresh random order."""
    order = list(cells)
    shuffle = random.Random(seed).shuffle
    started = time.monotonic()
    for round_number in range(rounds):
        shuffle(order)
        gc.collect()
        for cell in order:
            cell.samples.append(cell.run(cell.batch) / cell.batch)
        if progress:
            elapsed = time.monotonic() - started
            print(f"\r  round {round_number + 1}/{rounds} ({elapsed:.0f} s)", end="",
                  file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)


def summarise(samples: list[float]) -> dict[str, Any]:
    """Median and quartiles of a cell's per-round ns per call."""
    ordered = sorted(samples)
    if len(ordered) >= 4:
        q1, _, q3 = statistics.quantiles(ordered, n=4)
    else:
        q1, q3 = ordered[0], ordered[-1]
    return {"median_ns": statistics.median(ordered), "q1_ns": q1, "q3_ns": q3,
            "rounds": len(ordered), "samples": [round(value, 1) for value in samples]}


def versions() -> dict[str, str]:
    """Installed versions of the frameworks and servers, as the report prints them."""
    from importlib import metadata

    found = {"python": sys.version.split()[0]}
    for dist in ("demijohn", "bottle", "falcon", "flask", "werkzeug", "gunicorn", "granian"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    try:
        import falcon.util.uri

        # Falcon falls back to Python when its Cython `cyutil` modules are missing.
        found["falcon_compiled"] = str(getattr(falcon.util.uri, "_cy_uri", None) is not None)
    except ImportError:
        pass
    return found


def run(rounds: int, batch_ms: float, frameworks: list[str], scenario_names: list[str],
        seed: int = 12) -> dict[str, Any]:
    """The whole in-process benchmark; returns the results as plain data."""
    modules, missing = load_frameworks(frameworks)
    for name, why in missing.items():
        print(f"  {name}: {why}", file=sys.stderr)
    scenarios = [SCENARIOS[name] for name in scenario_names]
    print(f"building {len(scenarios)} scenarios x {len(modules)} frameworks ...", file=sys.stderr)
    build_seconds: dict[str, dict[str, float]] = {}
    cells, not_applicable = build_cells(modules, scenarios, build_seconds)
    failures = [(cell, why) for cell in cells if (why := check_cell(cell))]
    for cell, why in failures:
        print(f"  WRONG ANSWER {cell.framework} {cell.scenario.name}: {why}", file=sys.stderr)
    if failures:
        raise SystemExit("some apps answer wrongly; fix them before timing (see above)")
    yardsticks = [CallCell(0), CallCell(5)]
    every: list[Any] = cells + yardsticks
    for cell in every:  # warm up (Falcon compiles its router on first use) and size batches
        cell.run(10)
        calibrate(cell, batch_ms * 1e6)
    print(f"timing {len(every)} cells, {rounds} rounds of ~{batch_ms:g} ms batches ...",
          file=sys.stderr)
    load_before = os.getloadavg()
    measure(every, rounds, seed)
    results: dict[str, dict[str, Any]] = {}
    for cell in cells:
        results.setdefault(cell.scenario.name, {})[cell.framework] = summarise(cell.samples)
    return {
        "versions": versions(),
        "rounds": rounds,
        "batch_ms": batch_ms,
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
        "frameworks": [name for name in frameworks if name in modules],
        "missing": missing,
        "not_applicable": not_applicable,
        "scenarios": {s.name: {"title": s.title, "match_only": s.match_only, "group": s.group,
                               **s.extra} for s in scenarios},
        "results": results,
        "build_seconds": build_seconds,
        "yardstick": {f"calls-{c.depth}": summarise(c.samples) for c in yardsticks},
    }


def paired_difference(after: dict[str, Any], before: dict[str, Any]) -> float:
    """Median over rounds of (after - before), each round's two batches timed side by side:
    steadier than the difference of two medians when the cost sought is small."""
    pairs = list(zip(after.get("samples", []), before.get("samples", []), strict=True))
    if not pairs:
        return float(after["median_ns"] - before["median_ns"])
    return statistics.median(a - b for a, b in pairs)


def yardstick_ns(data: dict[str, Any]) -> float:
    """What 5 plain pass-through calls cost in this run."""
    stick = data["yardstick"]
    return paired_difference(stick["calls-5"], stick["calls-0"])


def format_table(data: dict[str, Any]) -> str:
    """The results as plain-text tables, one per scenario."""
    lines = []
    for name, info in data["scenarios"].items():
        row = data["results"].get(name, {})
        lines.append(f"\n{info['title']}")
        lines.append(f"  {'framework':<10} {'ns/call':>10} {'calls/s':>11} {'vs Bottle':>10} {'vs Falcon':>10}")
        for framework in data["frameworks"]:
            if framework not in row:
                why = data["not_applicable"].get(name, {}).get(framework, "n/a")
                lines.append(f"  {framework:<10} {'n/a':>10}   ({why})")
                continue
            ns = row[framework]["median_ns"]
            ratios = []
            for peer in ("bottle", "falcon"):
                peer_ns = row.get(peer, {}).get("median_ns")
                ratios.append(f"{peer_ns / ns:9.2f}x" if peer_ns else f"{'n/a':>10}")
            lines.append(f"  {framework:<10} {ns:10.0f} {1e9 / ns:11,.0f} {ratios[0]:>10} {ratios[1]:>10}")
    lines.append(f"\nyardstick: 5 pass-through calls cost {yardstick_ns(data):.0f} ns")
    return "\n".join(lines)


def smoke(frameworks: list[str], scenario_names: list[str]) -> int:
    """One round of every scenario for every importable framework, answers checked."""
    modules, missing = load_frameworks(frameworks)
    for name, why in missing.items():
        print(f"skipped {name}: {why}")
    cells, not_applicable = build_cells(modules, [SCENARIOS[n] for n in scenario_names])
    failed = 0
    for cell in cells:
        why = check_cell(cell)
        if why is None:
            cell.run(1)
        print(f"{'ok  ' if why is None else 'FAIL'} {cell.scenario.name:<15} {cell.framework:<9}"
              f"{'' if why is None else ' ' + why}")
        failed += why is not None
    for scenario, names in not_applicable.items():
        for name, why in names.items():
            print(f"n/a  {scenario:<15} {name:<9} {why}")
    print(f"smoke: {len(cells) - failed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=40, help="rounds (default 40)")
    parser.add_argument("--batch-ms", type=float, default=15.0,
                        help="time one batch of one cell takes (default 15 ms)")
    parser.add_argument("--quick", action="store_true", help="5 rounds of 3 ms batches")
    parser.add_argument("--smoke", action="store_true",
                        help="one round of every scenario; assert every app's status and body")
    parser.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--max-routes", type=int, default=None,
                        help="leave out route tables larger than this (--quick: 1000)")
    parser.add_argument("--json", metavar="PATH", help="write the results here")
    parser.add_argument("--profile", metavar="FW:SCENARIO[,...]",
                        help="cProfile these cells instead of benchmarking")
    parser.add_argument("--profile-calls", type=int, default=20000)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args(argv)
    frameworks = [name for name in args.frameworks.split(",") if name]
    max_routes = args.max_routes or (1000 if args.quick else None)
    names = [name for name in args.scenarios.split(",") if name and (
        max_routes is None or len(SCENARIOS[name].routes) <= max_routes)]
    if args.smoke:
        return smoke(frameworks, names)
    if args.profile:
        from profiling import profile

        for spec in args.profile.split(","):
            profile(spec, args.profile_calls, args.top)
        return 0
    rounds, batch_ms = (5, 3.0) if args.quick else (args.rounds, args.batch_ms)
    data = run(rounds, batch_ms, frameworks, names)
    print(format_table(data))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(data, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
