"""Import time of each framework, from `python -X importtime -c "import <module>"`.

Each import runs in a fresh interpreter, several times, interleaved; the figure is the
median of the cumulative microseconds on the line of the top-level module.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

MODULES = ("demijohn", "bottle", "falcon", "flask")


def import_us(module: str) -> float | None:
    """Cumulative import time of `module` in microseconds, or None if it is missing."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        return None
    for line in reversed(done.stderr.splitlines()):
        parts = [part.strip() for part in line.split("|")]
        if len(parts) == 3 and parts[2] == module:
            return float(parts[1])
    return None


def run(repeat: int = 9, modules: tuple[str, ...] = MODULES) -> dict[str, dict[str, float]]:
    """Median and spread of each module's import time over `repeat` interleaved runs."""
    samples: dict[str, list[float]] = {module: [] for module in modules}
    for _ in range(repeat):
        for module in modules:
            value = import_us(module)
            if value is not None:
                samples[module].append(value)
    return {module: {"median_ms": statistics.median(values) / 1000,
                     "min_ms": min(values) / 1000, "runs": len(values)}
            for module, values in samples.items() if values}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.repeat), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
