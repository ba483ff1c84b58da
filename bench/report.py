"""Turn one run's results into `docs/performance.md` and `docs/performance.png`.

    python bench/report.py bench/results/latest.json
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from inprocess import paired_difference, yardstick_ns

PEERS = ("bare", "demijohn", "bottle", "falcon", "flask")
# The scenarios, in its order (router-only rows are reported with the scaling).
MAIN_SCENARIOS = ("hello", "dynamic", "many", "scale-10", "scale-100", "scale-1000",
                  "scale-10000", "json", "request", "plugins-nowrap", "plugins-wrap", "404")
SCALES = (10, 100, 1000, 10000)


def ns(data: dict[str, Any], scenario: str, framework: str) -> float | None:
    """Median ns per request of one cell, or None when it was not run."""
    return data["results"].get(scenario, {}).get(framework, {}).get("median_ns")


def speedup(data: dict[str, Any], scenario: str, framework: str, peer: str) -> float | None:
    """How many times faster `framework` is than `peer` (peer's time / framework's time)."""
    mine, theirs = ns(data, scenario, framework), ns(data, scenario, peer)
    return theirs / mine if mine and theirs else None


def plugin_cost(data: dict[str, Any], scenario: str, framework: str) -> float:
    """Extra ns per request of `scenario` over hello, paired round by round."""
    cells = data["results"]
    return paired_difference(cells[scenario][framework], cells["hello"][framework])


def fmt_ratio(value: float | None) -> str:
    return f"{value:.2f}×" if value is not None else "n/a"


def fmt_ns(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value / 1000:.2f} µs" if value >= 1000 else f"{value:.0f} ns"


def targets(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of the issue with its measured figure and whether it is met."""
    data = run["inprocess"]
    rows: list[dict[str, Any]] = []
    for scenario in ("hello", "dynamic", "many", "scale-10", "scale-100", "scale-1000",
                     "scale-10000", "json", "request", "404"):
        ratio = speedup(data, scenario, "demijohn", "falcon")
        rows.append({"target": f"{scenario}: ≥ 1.0× Falcon (in-process)", "scenario": scenario,
                     "measured": fmt_ratio(ratio),
                     "met": None if ratio is None else ratio >= 1.0})
    hello = ns(data, "hello", "demijohn")
    nowrap = ns(data, "plugins-nowrap", "demijohn")
    if hello and nowrap:
        cost = plugin_cost(data, "plugins-nowrap", "demijohn") / hello
        rows.append({"target": "5 plugins that don't wrap cost ≤ 5%", "scenario": "plugins-nowrap",
                     "measured": f"{cost * 100:+.1f}%", "met": cost <= 0.05})
    wrap = ns(data, "plugins-wrap", "demijohn")
    five_calls = yardstick_ns(data)
    if hello and wrap:
        extra = plugin_cost(data, "plugins-wrap", "demijohn")
        rows.append({"target": "5 plugins that wrap cost ≤ 5 plain function calls",
                     "scenario": "plugins-wrap",
                     "measured": f"{extra:+.0f} ns vs {five_calls:.0f} ns for 5 calls",
                     "met": extra <= five_calls})
    small, large = ns(data, "match-10", "demijohn"), ns(data, "match-10000", "demijohn")
    label = "router match alone"
    if not (small and large):
        small, large = ns(data, "scale-10", "demijohn"), ns(data, "scale-10000", "demijohn")
        label = "full request"
    if small and large:
        rows.append({"target": "match time at 10,000 routes ≤ 1.5× at 10", "scenario": "match-10000",
                     "measured": f"{large / small:.2f}× ({label})", "met": large / small <= 1.5})
    for server in ("granian",):
        for scenario in ("hello", "dynamic"):
            case = run.get("e2e", {}).get("results", {}).get(server, {}).get(scenario, {})
            mine, theirs = case.get("demijohn", {}), case.get("falcon", {})
            ratio = mine["rps"] / theirs["rps"] if mine.get("rps") and theirs.get("rps") else None
            measured = fmt_ratio(ratio) + " in req/s"
            if mine.get("cpu_us_per_request") and theirs.get("cpu_us_per_request"):
                measured += (f"; {theirs['cpu_us_per_request'] / mine['cpu_us_per_request']:.2f}×"
                             " in server CPU per request")
            cpu_ratio = (theirs["cpu_us_per_request"] / mine["cpu_us_per_request"]
                         if mine.get("cpu_us_per_request") and theirs.get("cpu_us_per_request")
                         else ratio)
            met: bool | str | None = None if ratio is None else ratio >= 1.0
            if ratio is not None and cpu_ratio is not None and (ratio >= 1.0) != (cpu_ratio >= 1.0):
                met = "unclear"
            rows.append({"target": f"end-to-end {scenario} under {server} + wrk ≥ Falcon",
                         "scenario": f"e2e-{scenario}", "measured": measured, "met": met})
    imports = run.get("importtime", {})
    if "demijohn" in imports and "bottle" in imports:
        mine, theirs = imports["demijohn"], imports["bottle"]
        measured = (f"best {mine['min_ms']:.1f} ms vs {theirs['min_ms']:.1f} ms "
                    f"({mine['min_ms'] / theirs['min_ms']:.2f}×)")
        if "cpu_ms" in mine:
            measured += f"; CPU {mine['cpu_ms']:.1f} ms vs {theirs['cpu_ms']:.1f} ms"
        rows.append({"target": "`import demijohn` no slower than `import bottle` (-X importtime)",
                     "scenario": "import", "measured": measured,
                     "met": mine["min_ms"] <= theirs["min_ms"]})
    return rows


def where_time_goes(run: dict[str, Any], scenario: str | None) -> str:
    """One line on where demijohn spends the time of a missed target."""
    if scenario == "import":
        heavy = run.get("import_heaviest", [])
        return ("heaviest outside imports: " + ", ".join(
            f"`{row['module']}` {row['ms']:.1f} ms (from `{row['imported_by']}`)" for row in heavy)
            if heavy else "no import breakdown recorded")
    if scenario == "match-10000":
        return "see the router scaling table"
    if scenario == "plugins-wrap":
        data = run["inprocess"]
        bottle = (f"Bottle pays {plugin_cost(data, 'plugins-wrap', 'bottle'):+.0f} ns for the same "
                  "five wrappers; " if "bottle" in data["results"].get("plugins-wrap", {}) else "")
        rows = run.get("profiles", {}).get("demijohn:plugins-wrap", [])
        top = ", ".join(f"`{row['function']}` {row['tottime_share'] * 100:.0f}%" for row in rows[:5])
        return f"{bottle}cProfile of demijohn:plugins-wrap, own time: {top or 'not profiled'}"
    spec = {"e2e-hello": "hello", "e2e-dynamic": "dynamic"}.get(scenario or "", scenario)
    rows = run.get("profiles", {}).get(f"demijohn:{spec}")
    if not rows:
        return "not profiled"
    top = ", ".join(f"`{row['function']}` {row['tottime_share'] * 100:.0f}%"
                    for row in rows[:5])
    return f"cProfile of demijohn:{spec}, own time: {top}"


def e2e_cell(cases: dict[str, Any], framework: str) -> str:
    """`req/s (CPU µs per request)` of one end-to-end case."""
    case = cases.get(framework, {})
    if case.get("error"):
        return "error"
    if not case.get("rps"):
        return "n/a"
    cpu = case.get("cpu_us_per_request")
    return f"{case['rps']:,.0f}" + (f" ({cpu:.0f} µs)" if cpu else "")


def e2e_ratio(cases: dict[str, Any], framework: str, peer: str) -> str:
    """req/s ratio (and server-CPU-per-request ratio) of `framework` over `peer`."""
    mine, theirs = cases.get(framework, {}), cases.get(peer, {})
    if not (mine.get("rps") and theirs.get("rps")):
        return "n/a"
    text = f"{mine['rps'] / theirs['rps']:.2f}×"
    if mine.get("cpu_us_per_request") and theirs.get("cpu_us_per_request"):
        text += f" ({theirs['cpu_us_per_request'] / mine['cpu_us_per_request']:.2f}×)"
    return text


def markdown(run: dict[str, Any]) -> str:
    """The whole performance page."""
    data = run["inprocess"]
    frameworks = [name for name in PEERS if name in data["frameworks"]]
    versions = data["versions"]
    machine = run["machine"]
    out: list[str] = []
    add = out.append
    add("# Performance\n")
    add("demijohn against its peers, measured side by side in one interleaved run. "
        "Generated by `bench/report.py`; do not edit by hand, rerun instead.\n")
    add("## How it was measured\n")
    add(f"- Command: `{run['command']}` (one command: it builds `bench/.venv`, runs everything "
        "and writes this page and `docs/performance.png`).")
    add(f"- Machine: {machine['cpu']}, `nproc` = {machine['nproc']}, {machine['platform']}; "
        f"Python {versions.get('python')}; run on {machine['date']}.")
    add("- Versions: " + ", ".join(f"{name} {versions[name]}" for name in
                                   ("demijohn", "bottle", "falcon", "flask", "werkzeug",
                                    "gunicorn", "granian") if name in versions)
        + (f"; demijohn at commit `{run['core_revision']}`" if run.get("core_revision") else "") + ".")
    add(f"- Load average before / after the in-process run: "
        f"{data['loadavg_before'][0]:.2f} / {data['loadavg_after'][0]:.2f} "
        "(the machine may be shared; interleaving puts every framework through the same load, "
        "so ratios hold better than absolute numbers).")
    add(f"- In-process: each framework's WSGI callable is called directly with a fresh copy of a "
        f"prepared environ and a trivial `start_response`; the body is consumed and `close()` "
        f"called. Time is the benchmark thread's CPU time (`time.thread_time_ns`): a request in "
        f"process does no I/O, and time spent descheduled by other processes is not the "
        f"framework's. {data['rounds']} rounds; each round times one ~{data['batch_ms']:g} ms batch "
        "of every (scenario, framework) cell in a shuffled order. Figures are medians over the "
        "rounds. `bare` is a hand-written WSGI callable (two dict look-ups), the physical limit. "
        "Ratios are speed ratios: *peer's time ÷ this framework's time*, so > 1 means faster.")
    add("- Apps are written in each framework's own style (`bench/apps/`): Bottle and demijohn "
        "route callbacks, Falcon resources with `on_get` setting `resp.text`/`resp.media`, "
        "Flask view functions. Every app's answers (status and body) are checked before timing "
        "(`python bench/inprocess.py --smoke` does only that).\n")

    add("## In-process: time per request\n")
    head = "| scenario | " + " | ".join(frameworks) + " | demijohn vs Bottle | demijohn vs Falcon | Falcon vs Bottle |"
    add(head)
    add("|" + "---|" * (head.count("|") - 1))
    for scenario in MAIN_SCENARIOS:
        if scenario not in data["scenarios"]:
            continue
        cells = [fmt_ns(ns(data, scenario, fw)) for fw in frameworks]
        add(f"| {data['scenarios'][scenario]['title']} | " + " | ".join(cells) + " | "
            f"{fmt_ratio(speedup(data, scenario, 'demijohn', 'bottle'))} | "
            f"{fmt_ratio(speedup(data, scenario, 'demijohn', 'falcon'))} | "
            f"{fmt_ratio(speedup(data, scenario, 'falcon', 'bottle'))} |")
    add("\nn/a: Falcon and Flask have no Bottle-style (api 2) plugins; the bare callable has none "
        "either.\n")
    add("Speed relative to Bottle (higher is faster):\n")
    add("| scenario | " + " | ".join(frameworks) + " |")
    add("|---|" + "---|" * len(frameworks))
    for scenario in MAIN_SCENARIOS:
        if scenario in data["scenarios"]:
            add(f"| {scenario} | " + " | ".join(
                fmt_ratio(speedup(data, scenario, fw, "bottle")) for fw in frameworks) + " |")
    add("\n![speed relative to Bottle](performance.png)\n")

    add("## Router scaling\n")
    add("Routes `/r0/<id:int>` … `/rN/<id:int>` (every route dynamic, each under its own first "
        "segment: the worst case for a router that scans), request for the last one. "
        "*Router only* calls the framework's internal match (`app.router.match(environ)`, "
        "Falcon's `app._router.find(path)`, Werkzeug's `MapAdapter.match()`); *full request* "
        "goes through the WSGI callable.\n")
    add("| framework | " + " | ".join(f"{n:,} routes" for n in SCALES)
        + " | 10,000 ÷ 10 | full request 10,000 ÷ 10 | registering 10,000 routes |")
    add("|---|" + "---|" * (len(SCALES) + 3))
    for fw in frameworks:
        matches = [ns(data, f"match-{n}", fw) for n in SCALES]
        full = [ns(data, f"scale-{n}", fw) for n in SCALES]
        build = data.get("build_seconds", {}).get("scale-10000", {}).get(fw)
        add(f"| {fw} | " + " | ".join(fmt_ns(v) for v in matches) + " | "
            f"{fmt_ratio(matches[-1] / matches[0] if matches[0] and matches[-1] else None)} | "
            f"{fmt_ratio(full[-1] / full[0] if full[0] and full[-1] else None)} | "
            f"{f'{build:.1f} s' if build is not None else 'n/a'} |")
    add("")

    add("## Plugins\n")
    five_calls = yardstick_ns(data)
    add(f"Five api-2 plugins installed on the hello app. The yardstick, 5 plain pass-through "
        f"calls (`def wrapper(*a, **k): return f(*a, **k)`), costs {five_calls:.0f} ns here. A cost "
        f"is the median over rounds of (with plugins − hello), both timed in the same round.\n")
    add("| framework | hello | + 5 that don't wrap | cost | + 5 that wrap | cost |")
    add("|---|---|---|---|---|---|")
    for fw in ("demijohn", "bottle"):
        hello, nowrap, wrap = (ns(data, s, fw) for s in ("hello", "plugins-nowrap", "plugins-wrap"))
        if hello and nowrap and wrap:
            nowrap_cost = plugin_cost(data, "plugins-nowrap", fw)
            wrap_cost = plugin_cost(data, "plugins-wrap", fw)
            add(f"| {fw} | {fmt_ns(hello)} | {fmt_ns(nowrap)} | {nowrap_cost:+.0f} ns "
                f"({nowrap_cost / hello * 100:+.1f}%) | {fmt_ns(wrap)} | {wrap_cost:+.0f} ns "
                f"({wrap_cost / five_calls:.2f}× 5 calls) |")
    add("")

    e2e = run.get("e2e")
    add("## End to end (wrk on 127.0.0.1)\n")
    if not e2e:
        add(f"Not run ({run.get('e2e_skipped', 'skipped')}).\n")
    else:
        add(f"`wrk -t1 -c{e2e['connections']}`: all frameworks' servers run at once on their own "
            f"ports; after a 1 s warm-up each, wrk hits them in turns of 1 s, forward then backward, "
            f"{e2e['seconds']:g} s per case in all; the figure is the median turn. gunicorn: 2 sync "
            "workers. granian: `--interface wsgi`, 1 worker, 1 blocking thread (wrk needs the other "
            "core). *CPU/req* is the server's CPU time (its whole process group, from /proc) per "
            "request served: it does not drop when other processes take the CPU, so it is the "
            "steadier figure on a shared machine.\n")
        e2e_fws = [fw for fw in PEERS if fw in e2e["frameworks"]]
        add("| server | scenario | " + " | ".join(f"{fw} req/s (CPU/req)" for fw in e2e_fws)
            + " | demijohn vs Bottle | demijohn vs Falcon | Falcon vs Bottle |")
        add("|---|---|" + "---|" * (len(e2e_fws) + 3))
        for server, scenarios in e2e["results"].items():
            for scenario, cases in scenarios.items():
                add(f"| {server} | {scenario} | " + " | ".join(e2e_cell(cases, fw) for fw in e2e_fws)
                    + f" | {e2e_ratio(cases, 'demijohn', 'bottle')} | "
                    f"{e2e_ratio(cases, 'demijohn', 'falcon')} | {e2e_ratio(cases, 'falcon', 'bottle')} |")
        add("\nRatios: req/s ratio (CPU-per-request ratio, peer's ÷ this one's); > 1 means faster.")
        errors = [(s, sc, fw, c["error"]) for s, scs in e2e["results"].items()
                  for sc, cs in scs.items() for fw, c in cs.items() if c.get("error")]
        for server, scenario, fw, error in errors:
            add(f"\n- {server} {scenario} {fw}: {error}")
        add("")

    imports = run.get("importtime")
    if imports:
        add("## Import time\n")
        add("`python -X importtime -c 'import X'`: cumulative time of the top-level module over "
            "several fresh interpreters, interleaved (median and best; the best is the figure "
            "least disturbed by other processes), and the child's CPU time (rusage) less that "
            "of a bare `python -c pass`.\n")
        add("| module | median | best | CPU added to the interpreter's start |")
        add("|---|---|---|---|")
        for module, row in imports.items():
            cpu = f"{row['cpu_ms']:.1f} ms" if "cpu_ms" in row else "n/a"
            add(f"| {module} | {row['median_ms']:.1f} ms | {row['min_ms']:.1f} ms | {cpu} |")
        add("")

    profiles = run.get("profiles", {})
    if profiles:
        add("## Where demijohn's time goes\n")
        add("cProfile over many requests of one scenario; own time of the top functions as a "
            "share of the profiled total (cProfile inflates call-heavy code, so read it as a map, "
            "not a measurement).\n")
        for spec, rows in profiles.items():
            add(f"**{spec}**\n")
            add("| own % | cum % | calls/request | function |")
            add("|---|---|---|---|")
            for row in rows[:10]:
                add(f"| {row['tottime_share'] * 100:.1f} | {row['cumtime_share'] * 100:.1f} | "
                    f"{row['calls_per_request']:.2f} | `{row['function']}` ({row['where']}) |")
            add("")

    add("## Targets\n")
    rows = targets(run)
    if "demijohn" not in data["frameworks"]:
        add("demijohn was not importable in this run, so no target could be checked.\n")
    else:
        add("| target | measured | met |")
        add("|---|---|---|")
        for row in rows:
            met = {True: "met", False: "**missed**", None: "not measured",
                   "unclear": "unclear: req/s and CPU/request disagree (noise)"}[row["met"]]
            add(f"| {row['target']} | {row['measured']} | {met} |")
        missed = [row for row in rows if row["met"] is False]
        add("")
        if not missed:
            add("Every target is met in this run.")
        for row in missed:
            add(f"- Missed: {row['target']} — {where_time_goes(run, row['scenario'])}")
        for row in rows:
            if row["met"] == "unclear":
                add(f"- Unclear: {row['target']} — {row['measured']}: the two end-to-end figures "
                    "fall on either side of 1.0, inside the noise of 1 s wrk turns; the server's own "
                    "cost per request (granian's, see `bare`) dominates both frameworks'.")
    add("")
    return "\n".join(out)


def chart(run: dict[str, Any], path: str) -> None:
    """Three panels: every framework's speed relative to Bottle in process; demijohn ÷ Falcon
    per scenario (the target line at 1); end to end relative to Bottle."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = run["inprocess"]
    colours = {"bare": "#bbbbbb", "demijohn": "#2a7ab0", "bottle": "#555555",
               "falcon": "#e08a1e", "flask": "#6aa84f"}
    figure = plt.figure(figsize=(15, 10))
    grid = figure.add_gridspec(2, 3)
    top = figure.add_subplot(grid[0, :])
    scenarios = [s for s in MAIN_SCENARIOS if s in data["scenarios"]]
    frameworks = [fw for fw in PEERS if fw in data["frameworks"] and fw != "bottle"]
    width = 0.8 / len(frameworks)
    for index, fw in enumerate(frameworks):
        values = [speedup(data, s, fw, "bottle") or 0 for s in scenarios]
        xs = [i + (index - (len(frameworks) - 1) / 2) * width for i in range(len(scenarios))]
        top.bar(xs, values, width, label=fw, color=colours[fw])
    top.axhline(1.0, color=colours["bottle"], linewidth=1, label="bottle = 1")
    top.set_yscale("log")
    top.set_xticks(range(len(scenarios)))
    top.set_xticklabels(scenarios, rotation=20, ha="right")
    top.set_ylabel("speed relative to Bottle 0.13 (log)")
    top.set_title("in-process WSGI: speed relative to Bottle (median of interleaved rounds)")
    top.legend(fontsize=8, ncol=5)

    # demijohn ÷ Falcon, in process and end to end: the main target.
    labels, values = [], []
    for scenario in scenarios:
        ratio = speedup(data, scenario, "demijohn", "falcon")
        if ratio:
            labels.append(scenario)
            values.append(ratio)
    e2e = run.get("e2e")
    for server, scenarios_ in (e2e or {}).get("results", {}).items():
        for scenario, row in scenarios_.items():
            mine, theirs = row.get("demijohn", {}).get("rps"), row.get("falcon", {}).get("rps")
            if mine and theirs:
                labels.append(f"{server} {scenario}")
                values.append(mine / theirs)
    middle = figure.add_subplot(grid[1, :2])
    middle.bar(range(len(values)), values,
               color=[colours["demijohn"] if v >= 1 else "#c0392b" for v in values])
    middle.axhline(1.0, color=colours["falcon"], linewidth=1.5, label="Falcon = 1 (target)")
    for x, value in enumerate(values):
        middle.text(x, value, f"{value:.2f}", ha="center", va="bottom", fontsize=8)
    middle.set_xticks(range(len(labels)))
    middle.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    middle.set_title("demijohn ÷ Falcon (in process, then end to end in req/s); > 1: faster")
    middle.legend(fontsize=8)

    right = figure.add_subplot(grid[1, 2])
    if e2e:
        cases = [(server, scenario) for server, scenarios_ in e2e["results"].items()
                 for scenario in scenarios_]
        e2e_fws = [fw for fw in PEERS if fw in e2e["frameworks"] and fw != "bottle"]
        width = 0.8 / max(len(e2e_fws), 1)
        for index, fw in enumerate(e2e_fws):
            values = []
            for server, scenario in cases:
                row = e2e["results"][server][scenario]
                mine, base = row.get(fw, {}).get("rps"), row.get("bottle", {}).get("rps")
                values.append(mine / base if mine and base else 0)
            xs = [i + (index - (len(e2e_fws) - 1) / 2) * width for i in range(len(cases))]
            right.bar(xs, values, width, label=fw, color=colours[fw])
        right.axhline(1.0, color=colours["bottle"], linewidth=1)
        right.set_xticks(range(len(cases)))
        right.set_xticklabels([f"{s}\n{sc}" for s, sc in cases], fontsize=8)
        right.legend(fontsize=8)
    right.set_title("end to end: wrk req/s ÷ Bottle's")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


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
