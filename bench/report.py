"""Turn one run's results into `docs/performance.md` and `docs/performance.png`.

    python bench/report.py bench/results/latest.json [docs/]
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from inprocess import yardstick_ns
from report_chart import PEERS, chart
from report_targets import (BOTTLE_TARGET, FALCON_TARGET, PEERS as TARGET_PEERS, findings, ns,
                            plugin_cost, scenario_misses, speedup, targets, timed_scenarios,
                            where_time_goes)

SCALES = (10, 100, 1000, 10000)
NAMES = {"falcon": "falcon", "falcon_pure": "falcon (pure)"}


def fmt_ratio(value: float | None) -> str:
    return f"{value:.2f}×" if value is not None else "n/a"


def fmt_ns(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value / 1000:.2f} µs" if value >= 1000 else f"{value:.0f} ns"


def _target_ratio(value: float | None, target: float) -> str:
    """A ratio, in bold when it misses its target."""
    if value is None:
        return "n/a"
    return f"{value:.2f}×" if value >= target else f"**{value:.2f}×**"


def _table(add: Any, rows: list[list[str]]) -> None:
    add("| " + " | ".join(rows[0]) + " |")
    add("|" + "---|" * len(rows[0]))
    for row in rows[1:]:
        add("| " + " | ".join(row) + " |")
    add("")


def _how(add: Any, run: dict[str, Any]) -> None:
    data, machine = run["inprocess"], run["machine"]
    versions = data["versions"]
    add("## How it was measured\n")
    add(f"- Command: `{run['command']}` (`make bench`; one command builds `bench/.venv`, runs "
        "everything below and writes this page and `docs/performance.png`).")
    add(f"- demijohn at core commit `{run.get('core_revision', 'unknown')}` (the last commit touching "
        "`core/src`).")
    add(f"- Machine: {machine['cpu']}, `nproc` = {machine['nproc']}, {machine['platform']}; Python "
        f"{versions.get('python')}; run on {machine['date']}. Load average before / after the "
        f"in-process run: {data['loadavg_before'][0]:.2f} / {data['loadavg_after'][0]:.2f} (a shared "
        "machine: interleaving puts every framework through the same load, so ratios hold better "
        "than absolute numbers).")
    add("- Versions: " + ", ".join(f"{name} {versions[name]}" for name in
                                   ("demijohn", "bottle", "falcon", "flask", "werkzeug", "gunicorn",
                                    "granian") if name in versions) + ".")
    add("- Falcon twice: **falcon** is its compiled wheel (`cp3xx` manylinux, with the Cython "
        f"`cyutil` modules; compiled here: {versions.get('falcon_compiled', 'unknown')}), **falcon "
        "(pure)** its pure-Python wheel (`py3-none-any`) of the same version, installed into "
        "`bench/.venv/falcon-pure` and imported under its own name in the same process "
        "(`bench/isolated.py`), so both are timed in the same interleaved rounds.")
    add(f"- In-process: each framework's WSGI callable is called directly with a fresh copy of a "
        f"prepared environ (and a fresh `wsgi.input` for requests with a body) and a trivial "
        f"`start_response`; the body is consumed and `close()` called. Time is the benchmark "
        f"thread's CPU time. {data['rounds']} rounds; each times one ~{data['batch_ms']:g} ms batch "
        "of every (scenario, framework) cell in a shuffled order; figures are medians over the "
        "rounds. `bare` is a hand-written WSGI callable, the floor. Ratios are *peer's time ÷ "
        "demijohn's*: > 1 means demijohn is faster; a ratio in **bold** misses its target "
        f"(≥ {FALCON_TARGET}× Falcon, either build; ≥ {BOTTLE_TARGET}× Bottle).")
    add("- Apps are written in each framework's own idiom (`bench/apps/`): Bottle and demijohn "
        "route callbacks with `request`/`response`, Falcon resources, Flask views. Every app's "
        "answer (status, body, the headers that matter) is checked before timing; "
        "`bench/inprocess.py --smoke` does only that. n/a: the framework has no such feature "
        "(the reason is in the results JSON and in `--smoke`'s output).\n")


def _scenario_table(add: Any, data: dict[str, Any], names: list[str]) -> None:
    frameworks = [fw for fw in PEERS if fw in data["frameworks"]]
    rows = [["scenario", *(NAMES.get(fw, fw) for fw in frameworks),
             "vs Bottle", "vs Falcon", "vs Falcon (pure)"]]
    for scenario in names:
        rows.append([data["scenarios"][scenario]["title"]]
                    + [fmt_ns(ns(data, scenario, fw)) for fw in frameworks]
                    + [_target_ratio(speedup(data, scenario, "demijohn", peer), target)
                       for peer, target in (("bottle", BOTTLE_TARGET), ("falcon", FALCON_TARGET),
                                            ("falcon_pure", FALCON_TARGET))])
    _table(add, rows)


def _inprocess(add: Any, run: dict[str, Any]) -> None:
    data = run["inprocess"]
    timed = timed_scenarios(data)
    add("## In-process: the original scenarios\n")
    _scenario_table(add, data, [s for s in timed if data["scenarios"][s].get("group") != "idiom"])
    add("## In-process: what users write\n")
    add("One route each, written the way each framework's users write it (the request reads "
        "and the response calls are in each row's title; `bench/idioms.py` and `bench/apps/`). "
        "Requests with a body get a fresh `wsgi.input` per call (the same cost for every "
        "framework). The session and cache rows use demijohn's own plugins (session: "
        "`CookieBackend`; cache: `MemoryBackend`); Flask's session row is its built-in signed "
        "cookie session. Jinja2 autoescapes HTML in demijohn, Flask, Falcon and bare (Jinja's "
        "recommended `select_autoescape()`); Bottle's Jinja2 adapter does not by default.\n")
    _scenario_table(add, data, [s for s in timed if data["scenarios"][s].get("group") == "idiom"])
    add("![speed relative to Bottle, demijohn ÷ Falcon, end to end](performance.png)\n")


def _scaling(add: Any, data: dict[str, Any]) -> None:
    if "match-10" not in data["results"]:
        return
    add("## Router scaling\n")
    add("Routes `/r0/<id:int>` … `/rN/<id:int>`, request for the last one. *Router only* calls the "
        "framework's internal match (`app.router.match(environ)`, Falcon's `app._router.find(path)`, "
        "Werkzeug's `MapAdapter.match()`).\n")
    rows = [["framework", *(f"{n:,} routes" for n in SCALES), "10,000 ÷ 10", "registering 10,000 routes"]]
    for fw in [fw for fw in PEERS if fw in data["frameworks"]]:
        matches = [ns(data, f"match-{n}", fw) for n in SCALES]
        build = data.get("build_seconds", {}).get("scale-10000", {}).get(fw)
        rows.append([NAMES.get(fw, fw), *(fmt_ns(v) for v in matches),
                     fmt_ratio(matches[-1] / matches[0] if matches[0] and matches[-1] else None),
                     f"{build:.1f} s" if build is not None else "n/a"])
    _table(add, rows)


def _plugins(add: Any, data: dict[str, Any]) -> None:
    add("## Plugins\n")
    five = yardstick_ns(data)
    add(f"Five api-2 plugins on the hello app. The yardstick, 5 plain pass-through calls "
        f"(`def wrapper(*a, **k): return f(*a, **k)`), costs {five:.0f} ns here. A cost is the "
        "median over rounds of (with plugins − hello), both timed in the same round.\n")
    rows = [["framework", "hello", "+ 5 that don't wrap", "cost", "+ 5 that wrap", "cost"]]
    for fw in ("demijohn", "bottle"):
        hello, nowrap, wrap = (ns(data, s, fw) for s in ("hello", "plugins-nowrap", "plugins-wrap"))
        if hello and nowrap and wrap:
            nowrap_cost, wrap_cost = plugin_cost(data, "plugins-nowrap", fw), plugin_cost(data, "plugins-wrap", fw)
            rows.append([fw, fmt_ns(hello), fmt_ns(nowrap), f"{nowrap_cost:+.0f} ns ({nowrap_cost / hello:+.1%})",
                         fmt_ns(wrap), f"{wrap_cost:+.0f} ns ({wrap_cost / five:.2f}× 5 calls)"])
    _table(add, rows)


def _allocations(add: Any, run: dict[str, Any]) -> None:
    allocations = run.get("allocations")
    if not allocations:
        return
    add("## Memory per request (tracemalloc)\n")
    add("`bench/allocations.py`: single warmed-up requests under `tracemalloc`. *Held*: blocks "
        "(count, bytes) allocated by the WSGI call and still alive when it returns its body, i.e. "
        "what a request keeps while the server writes the answer. *Peak*: the high-water mark of "
        "traced memory during the whole request, above what was traced before it (temporaries "
        "included). Medians over the traced requests.\n")
    frameworks = [fw for fw in PEERS if any(fw in row for row in allocations.values())]
    rows = [["scenario", *(f"{NAMES.get(fw, fw)} held / peak" for fw in frameworks)]]
    for scenario, row in allocations.items():
        rows.append([scenario] + [
            f"{row[fw]['held_blocks']:.0f} blocks, {row[fw]['held_bytes'] / 1024:.1f} KiB / "
            f"{row[fw]['peak_bytes'] / 1024:.1f} KiB" if fw in row else "n/a" for fw in frameworks])
    _table(add, rows)


def _e2e(add: Any, run: dict[str, Any]) -> None:
    e2e = run.get("e2e")
    add("## End to end (wrk on 127.0.0.1)\n")
    if not e2e:
        add(f"Not run ({run.get('e2e_skipped', 'skipped')}).\n")
        return
    add(f"`wrk -t1 -c{e2e['connections']}`; each framework's server on its own port, started "
        f"together; after a 1 s warm-up each, wrk hits them in 1 s turns, forward then backward, "
        f"{e2e['seconds']:g} s per case in all; the figure is the median turn. gunicorn: 2 sync "
        "workers. granian: `--interface wsgi`, 1 worker, 1 blocking thread (wrk needs the other "
        "core). *CPU/req* is the server's CPU time (its whole process group, from /proc) per "
        "request: it does not drop when other processes take the CPU, so it is the steadier "
        "figure on a shared machine. Ratios: req/s (CPU per request, peer's ÷ demijohn's).\n")
    frameworks = [fw for fw in PEERS if fw in e2e["frameworks"]]
    rows = [["server", "scenario", *(f"{NAMES.get(fw, fw)} req/s (CPU/req)" for fw in frameworks),
             "vs bare", "vs Bottle", "vs Falcon", "vs Falcon (pure)"]]
    for server, scenarios in e2e["results"].items():
        for scenario, cases in scenarios.items():
            rows.append([server, scenario, *(_e2e_cell(cases, fw) for fw in frameworks),
                         *(_e2e_ratio(cases, peer) for peer in ("bare", "bottle", "falcon", "falcon_pure"))])
    _table(add, rows)
    above_floor = [f"{server} {scenario}" for server, scenarios in e2e["results"].items()
                   for scenario, cases in scenarios.items()
                   if (cases.get("demijohn", {}).get("rps") or 0) > (cases.get("bare", {}).get("rps") or 1e12)]
    if above_floor:
        add(f"demijohn answered more requests per second than the bare callable in {', '.join(above_floor)}: "
            "no framework can beat the floor, so there the machine's noise is larger than the "
            "difference being measured; read these rows as \"within noise\".\n")
    for server, scenarios in e2e["results"].items():
        for scenario, cases in scenarios.items():
            for fw, case in cases.items():
                if case.get("error"):
                    add(f"- {server} {scenario} {fw}: {case['error']}")
    adapters = e2e.get("adapters")
    if adapters:
        add("\n### demijohn's server adapters\n")
        add("demijohn's hello app served by `run(app, server=NAME, quiet=True)` with each "
            "adapter's defaults, measured the same way. `server='auto'` tries them in this order "
            "(see `docs/deployment.md`).\n")
        rows = [["adapter", "req/s", "server CPU per request"]]
        rows += [[name, f"{case['rps']:,.0f}" if case.get("rps") else case.get("error", "n/a"),
                  f"{case['cpu_us_per_request']:.0f} µs" if case.get("cpu_us_per_request") else "n/a"]
                 for name, case in adapters.items()]
        _table(add, rows)


def _e2e_cell(cases: dict[str, Any], framework: str) -> str:
    case = cases.get(framework, {})
    if case.get("error"):
        return "error"
    if not case.get("rps"):
        return "n/a"
    cpu = case.get("cpu_us_per_request")
    return f"{case['rps']:,.0f}" + (f" ({cpu:.0f} µs)" if cpu else "")


def _e2e_ratio(cases: dict[str, Any], peer: str) -> str:
    mine, theirs = cases.get("demijohn", {}), cases.get(peer, {})
    if not (mine.get("rps") and theirs.get("rps")):
        return "n/a"
    text = f"{mine['rps'] / theirs['rps']:.2f}×"
    if mine.get("cpu_us_per_request") and theirs.get("cpu_us_per_request"):
        text += f" ({theirs['cpu_us_per_request'] / mine['cpu_us_per_request']:.2f}×)"
    return text


def _startup(add: Any, run: dict[str, Any]) -> None:
    imports = run.get("importtime")
    if imports:
        add("## Import time and memory\n")
        add("`python -X importtime -c 'import X'` in fresh interpreters, interleaved: the "
            "cumulative time of the top-level module (median and best), the CPU time the import "
            "adds to a bare `python -c pass`, and the resident memory (VmRSS) after the import, "
            "total and added to a bare interpreter's.\n")
        rows = [["module", "median", "best", "CPU added", "RSS after import", "RSS added"]]
        for module, row in imports.items():
            rss, added = row.get("rss_mib"), row.get("rss_added_mib")
            rows.append([NAMES.get(module, module), f"{row['median_ms']:.1f} ms", f"{row['min_ms']:.1f} ms",
                         f"{row['cpu_ms']:.1f} ms", f"{rss:.1f} MiB" if rss else "n/a",
                         f"{added:.1f} MiB" if added else "n/a"])
        _table(add, rows)
    cold = run.get("coldstart")
    if cold:
        add("## Cold start\n")
        add("From spawning the command to the first answered `GET /` (`bench/coldstart.py`, the "
            "apps in `bench/coldstart/`): each framework's own development-server command "
            "(Falcon has none: its tutorial's `wsgiref` script), interleaved runs.\n")
        rows = [["framework", "command", "median", "best"]]
        rows += [[name, f"`{row['command']}`", f"{row['median_ms']:.0f} ms", f"{row['min_ms']:.0f} ms"]
                 for name, row in cold.items()]
        _table(add, rows)


def _profiles(add: Any, run: dict[str, Any]) -> None:
    profiles = run.get("profiles", {})
    if not profiles:
        return
    add("## Where demijohn's time goes\n")
    add("cProfile of every scenario that misses a target, and of hello and dynamic; own time of "
        "the top functions as a share of the app's total (cProfile inflates call-heavy code: "
        "read it as a map, not a measurement).\n")
    for spec, rows in profiles.items():
        add(f"**{spec}**\n")
        _table(add, [["own %", "cum %", "calls/request", "function"]] + [
            [f"{row['tottime_share'] * 100:.1f}", f"{row['cumtime_share'] * 100:.1f}",
             f"{row['calls_per_request']:.2f}", f"`{row['function']}` ({row['where']})"]
            for row in rows[:8]])


def _targets(add: Any, run: dict[str, Any]) -> None:
    data = run["inprocess"]
    add("## Targets\n")
    if "demijohn" not in data["frameworks"]:
        add("demijohn was not importable in this run, so no target could be checked.\n")
        return
    misses = scenario_misses(data)
    compared = [s for s in timed_scenarios(data)
                if any(speedup(data, s, "demijohn", peer) for peer in TARGET_PEERS)]
    add(f"In process, demijohn is ≥ {FALCON_TARGET}× Falcon (compiled and pure) and ≥ "
        f"{BOTTLE_TARGET}× Bottle on {len(compared) - len(misses)} of the {len(compared)} scenarios "
        "it shares with them; the tables above mark every miss in bold.\n")
    rows = [["target", "measured", "met"]]
    verdicts = {True: "met", False: "**missed**", None: "not measured", "reported": "reported"}
    for row in targets(run):
        rows.append([row["target"], row["measured"], verdicts[row["met"]]])
    _table(add, rows)
    add("### Closing note\n")
    add("Each miss with the top of its profile (this run) and, where `bench/findings.md` has "
        "it, the hand-written analysis of where the time goes and the change that would fix it.\n")
    analysis = findings()
    for scenario, peers in misses.items():
        ratios = ", ".join(f"{NAMES.get(p, p)} {speedup(data, scenario, 'demijohn', p):.2f}×" for p in peers)
        add(f"- **{scenario}** ({ratios}). Profile: {where_time_goes(run, scenario)}."
            + (f" {analysis[scenario]}" if scenario in analysis else ""))
    for row in targets(run):
        if row["met"] is False:
            add(f"- **{row['target']}** ({row['measured']}). Profile: {where_time_goes(run, row['scenario'])}."
                + (f" {analysis[row['scenario']]}" if row["scenario"] in analysis else ""))
    if "coldstart" in analysis and run.get("coldstart"):
        add(f"- **cold start** (reported, no target). {analysis['coldstart']}")
    add("")


def markdown(run: dict[str, Any]) -> str:
    """The whole performance page."""
    out: list[str] = []
    add = out.append
    add("# Performance\n")
    add("demijohn against its peers, measured side by side in one interleaved run. Generated by "
        "`bench/report.py`; do not edit by hand, rerun `make bench` instead.\n")
    _how(add, run)
    _inprocess(add, run)
    _scaling(add, run["inprocess"])
    _plugins(add, run["inprocess"])
    _allocations(add, run)
    _e2e(add, run)
    _startup(add, run)
    _profiles(add, run)
    _targets(add, run)
    return "\n".join(out)


def write(run: dict[str, Any], docs_dir: str) -> None:
    """Write performance.md and performance.png into `docs_dir`."""
    os.makedirs(docs_dir, exist_ok=True)
    with open(os.path.join(docs_dir, "performance.md"), "w") as handle:
        handle.write(markdown(run))
    chart(run, os.path.join(docs_dir, "performance.png"))


if __name__ == "__main__":
    with open(sys.argv[1]) as source:
        loaded = json.load(source)
    write(loaded, sys.argv[2] if len(sys.argv) > 2 else
          os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs"))
