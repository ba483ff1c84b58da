"""Issue 18's targets, checked against one run's results, and where a missed one's time goes.

Targets are ratios measured side by side in one run; they are never asserted in tests.
"""

from __future__ import annotations

import os
import re
from typing import Any

from inprocess import paired_difference, yardstick_ns

FINDINGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "findings.md")

FALCON_TARGET = 1.3  # demijohn's speed over Falcon's (compiled and pure-Python), in process
BOTTLE_TARGET = 2.5  # over Bottle's
WRAP_TARGET = 1.1  # 5 wrapping plugins cost at most this many times 5 plain calls
NOWRAP_TARGET = 0.01  # 5 plugins that do not wrap cost at most this share of hello
E2E_FALCON_TARGET = 1.15  # req/s over Falcon's under granian
E2E_BARE_TARGET = 0.80  # share of the bare callable's req/s under granian
PEERS = {"falcon": FALCON_TARGET, "falcon_pure": FALCON_TARGET, "bottle": BOTTLE_TARGET}


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


def timed_scenarios(data: dict[str, Any]) -> list[str]:
    """The scenarios that time a whole request (not the router alone), in run order."""
    return [name for name, info in data["scenarios"].items() if not info.get("match_only")]


def scenario_misses(data: dict[str, Any]) -> dict[str, list[str]]:
    """For each scenario, the peers demijohn does not beat by their target ratio."""
    misses: dict[str, list[str]] = {}
    for scenario in timed_scenarios(data):
        for peer, target in PEERS.items():
            ratio = speedup(data, scenario, "demijohn", peer)
            if ratio is not None and ratio < target:
                misses.setdefault(scenario, []).append(peer)
    return misses


def _plugin_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    hello = ns(data, "hello", "demijohn")
    if hello and ns(data, "plugins-nowrap", "demijohn"):
        share = plugin_cost(data, "plugins-nowrap", "demijohn") / hello
        rows.append({"target": f"5 plugins that don't wrap cost ≤ {NOWRAP_TARGET:.0%} of hello",
                     "scenario": "plugins-nowrap", "measured": f"{share * 100:+.1f}%",
                     "met": share <= NOWRAP_TARGET})
    if hello and ns(data, "plugins-wrap", "demijohn"):
        extra, five = plugin_cost(data, "plugins-wrap", "demijohn"), yardstick_ns(data)
        rows.append({"target": f"5 plugins that wrap cost ≤ {WRAP_TARGET}× 5 plain calls",
                     "scenario": "plugins-wrap",
                     "measured": f"{extra:+.0f} ns = {extra / five:.2f}× {five:.0f} ns",
                     "met": extra <= WRAP_TARGET * five})
    small, large = ns(data, "match-10", "demijohn"), ns(data, "match-10000", "demijohn")
    if small and large:
        rows.append({"target": "router match at 10,000 routes ≤ 1.5× at 10", "scenario": "match-10000",
                     "measured": f"{large / small:.2f}×", "met": large / small <= 1.5})
    return rows


def _e2e_rows(run: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for scenario in ("hello", "dynamic"):
        case = run.get("e2e", {}).get("results", {}).get("granian", {}).get(scenario, {})
        mine = case.get("demijohn", {}).get("rps")
        for peer, target, label in (("falcon", E2E_FALCON_TARGET, f"≥ {E2E_FALCON_TARGET}× Falcon's"),
                                    ("bare", E2E_BARE_TARGET, f"≥ {E2E_BARE_TARGET:.0%} of the bare callable's")):
            theirs = case.get(peer, {}).get("rps")
            ratio = mine / theirs if mine and theirs else None
            cpu = _cpu_ratio(case, peer)
            rows.append({"target": f"end to end, granian, {scenario}: req/s {label}",
                         "scenario": f"e2e-{scenario}",
                         "measured": (f"{ratio:.2f}×" if ratio else "n/a")
                         + (f" (server CPU per request: {cpu:.2f}×)" if cpu else ""),
                         "met": None if ratio is None else ratio >= target})
    return rows


def _cpu_ratio(case: dict[str, Any], peer: str) -> float | None:
    mine = case.get("demijohn", {}).get("cpu_us_per_request")
    theirs = case.get(peer, {}).get("cpu_us_per_request")
    return theirs / mine if mine and theirs else None


def _start_rows(run: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    imports = run.get("importtime", {})
    mine, theirs = imports.get("demijohn"), imports.get("bottle")
    if mine and theirs:
        rows.append({"target": "`import demijohn` faster than `import bottle` (best of runs)",
                     "scenario": "import", "measured": f"{mine['min_ms']:.1f} ms vs {theirs['min_ms']:.1f} ms",
                     "met": mine["min_ms"] < theirs["min_ms"]})
        if mine.get("rss_added_mib") is not None and theirs.get("rss_added_mib") is not None:
            rows.append({"target": "memory added by `import demijohn` below Bottle's", "scenario": "rss",
                         "measured": f"{mine['rss_added_mib']:.1f} MiB vs {theirs['rss_added_mib']:.1f} MiB",
                         "met": mine["rss_added_mib"] < theirs["rss_added_mib"]})
    cold = run.get("coldstart", {})
    for peer in ("bottle", "flask"):
        if "demijohn" in cold and peer in cold:
            ratio = cold[peer]["median_ms"] / cold["demijohn"]["median_ms"]
            rows.append({"target": f"cold start to the first answer, vs {peer.title()} (reported)",
                         "scenario": "coldstart",
                         "measured": f"{cold['demijohn']['median_ms']:.0f} ms vs "
                                     f"{cold[peer]['median_ms']:.0f} ms ({ratio:.2f}×)",
                         "met": "reported"})
    return rows


def targets(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target other than the per-scenario ratios, with its figure and verdict."""
    return _plugin_rows(run["inprocess"]) + _e2e_rows(run) + _start_rows(run)


def where_time_goes(run: dict[str, Any], scenario: str) -> str:
    """One line on where demijohn spends a missed scenario's time (its cProfile)."""
    if scenario == "import":
        heavy = run.get("import_heaviest", [])
        return "heaviest outside imports: " + ", ".join(
            f"`{row['module']}` {row['ms']:.1f} ms" for row in heavy) if heavy else "no breakdown"
    spec = scenario.removeprefix("e2e-")
    rows = run.get("profiles", {}).get(f"demijohn:{spec}")
    if not rows:
        return "not profiled"
    return "own time: " + ", ".join(f"`{row['function']}` ({row['where']}) {row['tottime_share'] * 100:.0f}%"
                                    for row in rows[:5])


def findings(path: str = FINDINGS) -> dict[str, str]:
    """The hand-written analysis of `findings.md`, one paragraph per `## scenario` section."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError:
        return {}
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    return {section.split("\n", 1)[0].strip(): " ".join(section.split("\n", 1)[1].split())
            for section in sections}
