"""cProfile of one (framework, scenario) cell: where a framework's time goes, as shares of
the app's own time (the harness's rows and environ copies are left out).

    python bench/inprocess.py --profile demijohn:hello,demijohn:form --top 25
"""

from __future__ import annotations

import cProfile
import os
import pstats
import re
import sys
from typing import Any

import inprocess
from scenarios import SCENARIOS

HARNESS = os.path.abspath(inprocess.__file__)


def profile(spec: str, calls: int, top: int, stream: Any = sys.stdout) -> list[dict[str, Any]]:
    """cProfile `calls` requests of `framework:scenario`; print and return the top functions."""
    framework, _, scenario_name = spec.partition(":")
    modules, missing = inprocess.load_frameworks([framework])
    if missing:
        raise SystemExit(f"{framework}: {missing[framework]}")
    cells, _ = inprocess.build_cells(modules, [SCENARIOS[scenario_name]])
    if not cells:
        raise SystemExit(f"{spec}: not applicable")
    cell = cells[0]
    cell.run(100)
    profiler = cProfile.Profile()
    profiler.enable()
    cell.run(calls)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=stream)
    table = stats.stats  # type: ignore[attr-defined]
    harness = HARNESS
    # Shares are of the app's own time: the cumulative time of what the harness loop
    # calls, less its environ copies, and the harness's rows are left out.
    app_total = 0.0
    for function, (_, _, _, _, callers) in table.items():
        if function[2] in HARNESS_BUILTINS or function[0] == harness:
            continue
        for caller, timing in callers.items():
            if caller[0] == harness and caller[2] in TIMED_LOOPS:
                app_total += timing[3]
    rows = []
    for function, (_, ncalls, tottime, cumtime, callers) in table.items():
        filename, line, name = function
        harness_only = all(caller[0] == harness for caller in callers)
        if filename == harness or (harness_only and name in HARNESS_BUILTINS):
            continue
        rows.append({"function": name, "where": f"{_short_path(filename)}:{line}",
                     "calls_per_request": ncalls / calls, "tottime_share": tottime / app_total,
                     "cumtime_share": cumtime / app_total})
    rows.sort(key=lambda row: row["tottime_share"], reverse=True)
    print(f"\n{spec}: {calls} requests, top {top} functions by own time", file=stream)
    print(f"  {'own %':>6} {'cum %':>6} {'calls/req':>9}  function", file=stream)
    for row in rows[:top]:
        print(f"  {row['tottime_share'] * 100:6.1f} {row['cumtime_share'] * 100:6.1f} "
              f"{row['calls_per_request']:9.2f}  {row['function']} ({row['where']})", file=stream)
    return rows[:top]


TIMED_LOOPS = ("run", "_run_with_body", "_run_match")  # the Cell methods that call the app
HARNESS_BUILTINS = ("<method 'copy' of 'dict' objects>", "<built-in method builtins.getattr>")


def _short_path(filename: str) -> str:
    for marker in ("site-packages/", "/src/", "/bench/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    stdlib = re.search(r"/lib/python3\.\d+/(.*)", filename)
    return "stdlib " + stdlib.group(1) if stdlib else filename
