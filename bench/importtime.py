"""Import time and memory of each framework, from `python -X importtime -c "import <module>"`.

Each import runs in a fresh interpreter, several times, interleaved; the figures are the
median and the best of the cumulative microseconds on the line of the top-level module,
the CPU time the import adds to the interpreter's start (from the child's rusage), and
the resident memory (VmRSS) it adds to a bare interpreter's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
from typing import Any

MODULES = ("demijohn", "bottle", "falcon", "falcon_pure", "flask")
PURE_FALCON = os.path.join(os.path.dirname(os.path.dirname(sys.executable)), "falcon-pure")
RSS_CODE = ("import {module}\nfor line in open('/proc/self/status'):\n"
            "    if line.startswith('VmRSS:'): print(line.split()[1], file=__import__('sys').stderr)")


def _child(module: str | None, code: str) -> subprocess.CompletedProcess[str]:
    """`python -X importtime -c code` for `module`; `falcon_pure` is `falcon` imported
    from the pure-Python wheel's folder."""
    # Bytecode caches allowed (see `run`'s warm-up): compiling source is not import time.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    if module == "falcon_pure":
        env["PYTHONPATH"] = os.pathsep.join([PURE_FALCON, env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env,
                          capture_output=True, text=True, timeout=60)


def _name(module: str) -> str:
    return "falcon" if module == "falcon_pure" else module


def rss_kb(module: str | None) -> float | None:
    """Resident memory (VmRSS, KiB) of an interpreter that imported `module` (None: nothing)."""
    done = _child(module, RSS_CODE.format(module=_name(module)) if module else
                  RSS_CODE.replace("import {module}\n", ""))
    if done.returncode != 0:
        return None
    return float(done.stderr.strip().splitlines()[-1])


def import_us(module: str | None) -> tuple[float, float] | None:
    """`module`'s cumulative import time in microseconds per `-X importtime`, and the CPU
    time of the whole child interpreter in microseconds; None if it cannot be imported."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = _child(module, f"import {_name(module)}" if module else "pass")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1e6
    if done.returncode != 0:
        return None
    if module is None:
        return 0.0, cpu
    for line in reversed(done.stderr.splitlines()):
        parts = [part.strip() for part in line.split("|")]
        if len(parts) == 3 and parts[2] == _name(module):
            return float(parts[1]), cpu
    return None


def heaviest_imports(package: str, count: int = 6) -> list[dict[str, Any]]:
    """The outside modules that `package`'s own modules import, by cumulative import time.

    `-X importtime` prints a module after the modules it imported, one indentation level
    deeper; a stack of the lines seen so far gives each module its importer.
    """
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {package}"],
                          capture_output=True, text=True, timeout=60)
    pending: list[tuple[int, str, float]] = []
    found: list[dict[str, Any]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name_part = line.split("|")
        if not cumulative.strip().isdigit():
            continue
        level = len(name_part) - len(name_part.lstrip())
        name, micros = name_part.strip(), float(cumulative)
        children = [entry for entry in pending if entry[0] > level]
        pending = [entry for entry in pending if entry[0] <= level]
        if name == package or name.startswith(package + "."):
            for _, child, child_micros in children:
                if not child.startswith(package):
                    found.append({"module": child, "imported_by": name, "ms": child_micros / 1000})
        pending.append((level, name, micros))
    found.sort(key=lambda row: row["ms"], reverse=True)
    return found[:count]


def run(repeat: int = 9, modules: tuple[str, ...] = MODULES) -> dict[str, dict[str, Any]]:
    """Each module's import time over `repeat` interleaved runs: the median and best of
    `-X importtime`'s figure (wall time), and the median CPU time the import adds to a bare
    interpreter's start (steady when other processes load the machine)."""
    samples: dict[str, list[tuple[float, float]]] = {module: [] for module in modules}
    memory: dict[str, list[float]] = {module: [] for module in modules}
    baselines: list[float] = []
    bare_rss: list[float] = []
    for module in modules:  # warm-up: writes the bytecode caches an editable install may lack
        import_us(module)
    for _ in range(repeat):
        baselines.append(import_us(None)[1])  # type: ignore[index]  # the bare start
        bare_rss.append(rss_kb(None) or 0.0)
        for module in modules:
            value = import_us(module)
            if value is not None:
                samples[module].append(value)
            rss = rss_kb(module)
            if rss is not None:
                memory[module].append(rss)
    baseline, rss_base = statistics.median(baselines), statistics.median(bare_rss)
    return {module: {"median_ms": statistics.median(wall for wall, _ in values) / 1000,
                     "min_ms": min(wall for wall, _ in values) / 1000,
                     "cpu_ms": (statistics.median(cpu for _, cpu in values) - baseline) / 1000,
                     "rss_mib": statistics.median(memory[module]) / 1024 if memory[module] else None,
                     "rss_added_mib": ((statistics.median(memory[module]) - rss_base) / 1024
                                       if memory[module] else None),
                     "runs": len(values)}
            for module, values in samples.items() if values}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.repeat), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
