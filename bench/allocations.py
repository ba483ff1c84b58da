"""Memory allocated per request, with `tracemalloc`, for every framework on a few scenarios.

Each cell is warmed up (caches filled, lazy imports done), then `tracemalloc` traces single
requests one at a time, and for each:

- *held at hand-off*: the memory blocks (count and bytes) allocated by the WSGI call that
  are still alive when it returns its body iterable, i.e. what the request keeps while a
  server writes the answer (request and response objects, header lists, the body);
- *peak*: the high-water mark of traced memory during the whole request (call, body
  consumed, `close()`), above what was traced before it;
- *kept*: blocks still alive after `close()` and a garbage collection (what the framework
  keeps from a request: caches, or a leak when it grows with every request).

`tracemalloc` sees a block only while it lives, so temporaries freed inside the call are
in the peak but not in the count. Figures are medians over the traced requests.

    python bench/allocations.py --scenarios hello,json --requests 50
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tracemalloc
from typing import Any

from inprocess import FRAMEWORKS, Cell, _start_response, build_cells, load_frameworks
from scenarios import SCENARIOS

SCENARIO_NAMES = ("hello", "dynamic", "json", "headers", "query-attr", "form", "json-post",
                  "cookies", "jinja2", "static")
IGNORED = (tracemalloc.__file__, __file__)


def _blocks(snapshot: tracemalloc.Snapshot) -> tuple[int, int]:
    """Count and bytes of the traced blocks, less those of the tracer and this harness."""
    filters = [tracemalloc.Filter(False, name) for name in IGNORED]
    stats = snapshot.filter_traces(filters).statistics("filename")
    return sum(stat.count for stat in stats), sum(stat.size for stat in stats)


def trace_request(cell: Cell) -> dict[str, int]:
    """One request of `cell` under tracemalloc (which must be on)."""
    import io

    environ = cell.environ.copy()
    environ["wsgi.input"] = io.BytesIO(cell.scenario.data)
    gc.collect()
    count_before, size_before = _blocks(tracemalloc.take_snapshot())
    traced_before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    body = cell.target(environ, _start_response)
    held = _blocks(tracemalloc.take_snapshot())
    for _chunk in body:
        pass
    close = getattr(body, "close", None)
    if close is not None:
        close()
    peak = tracemalloc.get_traced_memory()[1] - traced_before
    del body, close, environ
    gc.collect()
    left = _blocks(tracemalloc.take_snapshot())
    return {"held_blocks": held[0] - count_before, "held_bytes": held[1] - size_before,
            "peak_bytes": peak, "kept_blocks": left[0] - count_before}


def measure(cell: Cell, requests: int) -> dict[str, float]:
    """Medians over `requests` traced requests of a warmed-up cell."""
    with cell.context():
        cell.run(200)
        tracemalloc.start()
        try:
            samples = [trace_request(cell) for _ in range(requests)]
        finally:
            tracemalloc.stop()
    return {key: statistics.median(sample[key] for sample in samples) for key in samples[0]}


def run(requests: int = 30, frameworks: tuple[str, ...] = FRAMEWORKS,
        scenario_names: tuple[str, ...] = SCENARIO_NAMES) -> dict[str, dict[str, Any]]:
    """Every (scenario, framework) cell's allocation figures, by scenario then framework."""
    modules, _ = load_frameworks(list(frameworks))
    cells, _ = build_cells(modules, [SCENARIOS[name] for name in scenario_names])
    results: dict[str, dict[str, Any]] = {}
    for cell in cells:
        results.setdefault(cell.scenario.name, {})[cell.framework] = measure(cell, requests)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--scenarios", default=",".join(SCENARIO_NAMES))
    parser.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    parser.add_argument("--json", metavar="PATH", help="write the figures here")
    args = parser.parse_args(argv)
    data = run(args.requests, tuple(args.frameworks.split(",")), tuple(args.scenarios.split(",")))
    for scenario, row in data.items():
        print(scenario)
        for framework, figures in row.items():
            print(f"  {framework:<12} held {figures['held_blocks']:5.0f} blocks "
                  f"{figures['held_bytes']:7.0f} B  peak {figures['peak_bytes']:7.0f} B  "
                  f"kept {figures['kept_blocks']:3.0f}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(data, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
