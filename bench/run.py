"""Run the whole benchmark suite and write docs/performance.md and docs/performance.png.

    python3 bench/run.py              # full run (about 10 minutes)
    python3 bench/run.py --quick      # a smoke run of the pipeline; writes to bench/results/quick/
    python3 bench/run.py --no-e2e --rounds 60

It creates bench/.venv (the peers and servers from bench/requirements.txt plus demijohn
installed editable from core/), re-runs itself inside it, then: the in-process benchmark,
cProfile of every scenario that misses a target, allocations per request, import time and
memory, cold start, the end-to-end run under gunicorn and granian with wrk (installing
Debian's `wrk` when missing, and demijohn's own adapters), and the report.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VENV = os.path.join(HERE, ".venv")
VENV_PYTHON = os.path.join(VENV, "bin", "python")
REQUIREMENTS = os.path.join(HERE, "requirements.txt")
CORE = os.path.join(ROOT, "core")


def ensure_venv() -> None:
    """Create bench/.venv and install what requirements.txt lists, plus demijohn editable.

    A stamp file remembers what was installed, so later runs skip pip entirely.
    """
    if not os.path.exists(VENV_PYTHON):
        print(f"creating {VENV} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    has_core = os.path.exists(os.path.join(CORE, "pyproject.toml"))
    with open(REQUIREMENTS, "rb") as handle:
        wanted = hashlib.sha256(handle.read() + (b"core, plugins, falcon-pure" if has_core else b"")).hexdigest()
    stamp = os.path.join(VENV, ".bench-installed")
    if os.path.exists(stamp) and open(stamp).read() == wanted:
        return
    command = [VENV_PYTHON, "-m", "pip", "install", "-q", "-r", REQUIREMENTS]
    if has_core:  # the session and cache scenarios use demijohn's own plugins
        command += ["-e", CORE, "-e", os.path.join(ROOT, "plugins", "session"),
                    "-e", os.path.join(ROOT, "plugins", "cache")]
    else:
        print("core/pyproject.toml not found: benchmarking the peers only", file=sys.stderr)
    print("installing the benchmark's requirements ...", file=sys.stderr)
    subprocess.run(command, check=True)
    install_pure_falcon()
    with open(stamp, "w") as handle:
        handle.write(wanted)


def install_pure_falcon() -> None:
    """Falcon's pure-Python wheel, the same version as the compiled one, in a folder of its
    own (`apps/falcon_pure.py` imports it from there beside the compiled one)."""
    version = subprocess.run([VENV_PYTHON, "-c", "from importlib.metadata import version; "
                              "print(version('falcon'))"], capture_output=True, text=True,
                             check=True).stdout.strip()
    python = subprocess.run([VENV_PYTHON, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                            capture_output=True, text=True, check=True).stdout.strip()
    target = os.path.join(VENV, "falcon-pure")
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run([VENV_PYTHON, "-m", "pip", "install", "-q", "--no-deps", "--target", target,
                    "--only-binary", ":all:", "--platform", "any", "--implementation", "py",
                    "--python-version", python, f"falcon=={version}"], check=True)


def in_venv() -> bool:
    return os.path.realpath(sys.prefix) == os.path.realpath(VENV)


def ensure_wrk() -> str | None:
    """Install Debian's wrk if it is missing; return why the e2e run cannot happen, if so."""
    if shutil.which("wrk"):
        return None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "wrk is missing and cannot be installed here (needs root and apt-get)"
    print("installing wrk ...", file=sys.stderr)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, **quiet).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, **quiet)
        subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, **quiet)
    return None if shutil.which("wrk") else "apt-get install wrk failed"


def core_revision() -> str:
    """The last commit touching core/src, and whether the working tree differs from it."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    revision = git("log", "-1", "--format=%h", "--", "core/src") or "unknown"
    return revision + (" + uncommitted changes" if git("status", "--short", "core/src") else "")


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "nproc": nproc or str(os.cpu_count()),
            "platform": platform.platform(terse=True),
            "python": platform.python_version(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="few short rounds, routes up to 1,000, 1 s e2e cases")
    parser.add_argument("--no-e2e", action="store_true", help="skip the wrk end-to-end run")
    parser.add_argument("--rounds", type=int, default=None, help="in-process rounds (default 40)")
    parser.add_argument("--batch-ms", type=float, default=None,
                        help="in-process batch length (default 12 ms)")
    parser.add_argument("--e2e-seconds", type=float, default=None, help="wrk time per case (5)")
    parser.add_argument("--docs", default=None,
                        help="where to write performance.md/png (default docs/, "
                             "--quick: bench/results/quick/)")
    return parser.parse_args(argv)


def in_process(run: dict[str, Any], args: argparse.Namespace) -> None:
    """The interleaved in-process run, then cProfile of every scenario that misses a target."""
    import inprocess
    import profiling
    import report_targets
    from scenarios import SCENARIOS

    quick = args.quick
    rounds = args.rounds or (5 if quick else 40)
    batch_ms = args.batch_ms or (3.0 if quick else 12.0)
    names = [name for name in SCENARIOS if not quick or len(SCENARIOS[name].routes) <= 1000]
    print("== in-process", file=sys.stderr)
    data = inprocess.run(rounds, batch_ms, list(inprocess.FRAMEWORKS), names)
    print(inprocess.format_table(data))
    run["inprocess"] = data
    if "demijohn" not in data["frameworks"]:
        return
    print("== profiles", file=sys.stderr)
    # hello and dynamic for reference, then every scenario that misses a target
    specs = [name for name in ("hello", "dynamic") if name in data["results"]]
    specs += [name for name in report_targets.scenario_misses(data) if name not in specs]
    if "plugins-wrap" in data["results"]:
        specs.append("plugins-wrap")
    calls = 2000 if quick else 20000
    run["profiles"] = {f"demijohn:{spec}": profiling.profile(f"demijohn:{spec}", calls, 15)
                       for spec in specs}


def start_and_memory(run: dict[str, Any], quick: bool) -> None:
    """Allocations per request, import time and RSS, cold start."""
    import allocations
    import coldstart
    import importtime

    print("== allocations", file=sys.stderr)
    run["allocations"] = allocations.run(requests=10 if quick else 30)
    print("== import time", file=sys.stderr)
    run["importtime"] = importtime.run(repeat=3 if quick else 9)
    if "demijohn" in run["importtime"]:
        run["import_heaviest"] = importtime.heaviest_imports("demijohn", 6)
    print("== cold start", file=sys.stderr)
    run["coldstart"] = coldstart.run(repeat=3 if quick else 9)


def end_to_end(run: dict[str, Any], args: argparse.Namespace) -> None:
    """gunicorn and granian under wrk, and demijohn's adapters; the page says why if not run."""
    import e2e

    if args.no_e2e:
        run["e2e_skipped"] = "--no-e2e"
        return
    why_not = ensure_wrk()
    if why_not:
        run["e2e_skipped"] = why_not
        print(f"== end to end skipped: {why_not}", file=sys.stderr)
        return
    print("== end to end", file=sys.stderr)
    seconds = args.e2e_seconds or (1.0 if args.quick else 5.0)
    try:
        run["e2e"] = e2e.run(seconds, 16, list(e2e.E2E_FRAMEWORKS))
    except (OSError, subprocess.SubprocessError, SystemExit) as error:
        # Keep the in-process results: the page says why end to end is missing.
        run["e2e_skipped"] = f"failed: {error}"
        print(f"== end to end failed: {error}", file=sys.stderr)


def main(argv: list[str]) -> int:
    args = parse_arguments(argv)
    if not in_venv():
        ensure_venv()
        os.execv(VENV_PYTHON, [VENV_PYTHON, os.path.abspath(__file__), *argv])
    sys.path.insert(0, HERE)
    import report

    run: dict[str, Any] = {"command": " ".join(["python3 bench/run.py", *argv]),
                           "machine": machine(), "core_revision": core_revision()}
    in_process(run, args)
    start_and_memory(run, args.quick)
    end_to_end(run, args)
    results = os.path.join(HERE, "results")
    os.makedirs(results, exist_ok=True)
    with open(os.path.join(results, "quick.json" if args.quick else "latest.json"), "w") as handle:
        json.dump(run, handle, indent=1)
    docs = args.docs or (os.path.join(results, "quick") if args.quick else os.path.join(ROOT, "docs"))
    report.write(run, docs)
    print(f"wrote {os.path.join(docs, 'performance.md')} and performance.png", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
