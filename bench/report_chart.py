"""The chart of `docs/performance.png`: speed relative to Bottle in process, demijohn ÷
Falcon (compiled and pure-Python) per scenario, and end to end relative to Bottle."""

from __future__ import annotations

from typing import Any

from report_targets import speedup, timed_scenarios

COLOURS = {"bare": "#bbbbbb", "demijohn": "#2a7ab0", "bottle": "#555555", "falcon": "#e08a1e",
           "falcon_pure": "#f5c16c", "flask": "#6aa84f"}
PEERS = tuple(COLOURS)


def _bars(axes: Any, groups: list[str], series: dict[str, list[float]]) -> None:
    """Grouped bars: one group per label, one bar per series, in the framework colours."""
    width = 0.8 / max(len(series), 1)
    for index, (name, values) in enumerate(series.items()):
        xs = [i + (index - (len(series) - 1) / 2) * width for i in range(len(groups))]
        axes.bar(xs, values, width, label=name, color=COLOURS.get(name, "#999999"))
    axes.set_xticks(range(len(groups)))
    axes.set_xticklabels(groups, rotation=35, ha="right", fontsize=8)


def chart(run: dict[str, Any], path: str) -> None:
    """Three panels: every framework's speed relative to Bottle in process (log scale);
    demijohn ÷ Falcon compiled and pure per scenario with the 1.3× target line; end to end
    req/s relative to Bottle."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = run["inprocess"]
    scenarios = [s for s in timed_scenarios(data) if not s.startswith("scale-")]
    figure = plt.figure(figsize=(16, 12))
    grid = figure.add_gridspec(2, 3)
    top = figure.add_subplot(grid[0, :])
    frameworks = [fw for fw in PEERS if fw in data["frameworks"] and fw != "bottle"]
    _bars(top, scenarios, {fw: [speedup(data, s, fw, "bottle") or 0 for s in scenarios]
                           for fw in frameworks})
    top.axhline(1.0, color=COLOURS["bottle"], linewidth=1, label="bottle = 1")
    top.set_yscale("log")
    top.set_ylabel("speed relative to Bottle 0.13 (log)")
    top.set_title("in-process WSGI: speed relative to Bottle (0 = n/a)")
    top.legend(fontsize=8, ncol=6)

    middle = figure.add_subplot(grid[1, :2])
    compared = [s for s in scenarios if speedup(data, s, "demijohn", "falcon")]
    _bars(middle, compared, {peer: [speedup(data, s, "demijohn", peer) or 0 for s in compared]
                             for peer in ("falcon", "falcon_pure") if peer in data["frameworks"]})
    middle.axhline(1.0, color="#888888", linewidth=1)
    middle.axhline(1.3, color="#c0392b", linewidth=1.5, linestyle="--", label="target 1.3×")
    middle.set_title("demijohn ÷ Falcon (compiled, pure-Python), in process; > 1: demijohn faster")
    middle.legend(fontsize=8)

    _e2e_panel(figure.add_subplot(grid[1, 2]), run.get("e2e"))
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def _e2e_panel(axes: Any, e2e: dict[str, Any] | None) -> None:
    """End to end: every framework's wrk req/s over Bottle's, per server and scenario."""
    axes.set_title("end to end: wrk req/s ÷ Bottle's")
    if not e2e:
        return
    cases = [(server, scenario) for server, rows in e2e["results"].items() for scenario in rows]
    series = {}
    for fw in [fw for fw in PEERS if fw in e2e["frameworks"] and fw != "bottle"]:
        values = []
        for server, scenario in cases:
            row = e2e["results"][server][scenario]
            mine, base = row.get(fw, {}).get("rps"), row.get("bottle", {}).get("rps")
            values.append(mine / base if mine and base else 0)
        series[fw] = values
    _bars(axes, [f"{s} {sc}" for s, sc in cases], series)
    axes.axhline(1.0, color=COLOURS["bottle"], linewidth=1)
    axes.legend(fontsize=7)
