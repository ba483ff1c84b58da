"""End-to-end benchmark: each framework under gunicorn and granian, driven by `wrk`.

For every server, scenario and framework the script starts the server on a free port on
127.0.0.1, checks one answer, warms up for a second, runs `wrk` for a bounded time,
then stops the server (SIGTERM, then SIGKILL to its own process group after a grace).

    python bench/e2e.py --seconds 5
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from scenarios import SCENARIOS  # noqa: E402

BIN = os.path.dirname(sys.executable)
E2E_SCENARIOS = ("hello", "dynamic")
E2E_FRAMEWORKS = ("bare", "demijohn", "bottle", "falcon", "flask")


def server_command(server: str, port: int) -> list[str]:
    """The command line that serves `apps.serve:app` on 127.0.0.1:`port`."""
    if server == "gunicorn":
        return [os.path.join(BIN, "gunicorn"), "--workers", "2", "--worker-class", "sync",
                "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "apps.serve:app"]
    if server == "granian":
        # One worker, one blocking thread: the GIL allows one Python thread at a time
        # anyway, and wrk needs the machine's other core.
        return [os.path.join(BIN, "granian"), "--interface", "wsgi", "--host", "127.0.0.1",
                "--port", str(port), "--workers", "1", "--blocking-threads", "1",
                "--log-level", "warning", "--no-access-log", "apps.serve:app"]
    raise ValueError(f"unknown server {server!r}: use gunicorn or granian")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_ready(url: str, deadline: float) -> tuple[int, bytes]:
    """Poll `url` until the server answers; return (status, body)."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                return reply.status, reply.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer from {url}")
            time.sleep(0.1)


def run_wrk(url: str, seconds: float, connections: int) -> dict[str, Any]:
    """Run wrk once and parse requests/s, latency percentiles and errors."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", url]
    output = subprocess.run(command, capture_output=True, text=True,
                            timeout=seconds + 30).stdout
    result: dict[str, Any] = {"raw": output}
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    result["rps"] = float(match.group(1)) if match else None
    for percent in ("50", "99"):
        found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if found:
            scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[found.group(2)]
            result[f"p{percent}_ms"] = float(found.group(1)) * scale
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    result["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    errors = re.search(r"Socket errors: (.*)", output)
    result["socket_errors"] = errors.group(1) if errors else ""
    return result


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server; SIGKILL its process group if it is still there after 10 s."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def measure_case(server: str, framework: str, scenario_name: str, seconds: float,
                 connections: int) -> dict[str, Any]:
    """One server + framework + scenario: start, check, warm up, measure, stop."""
    scenario = SCENARIOS[scenario_name]
    port = free_port()
    url = f"http://127.0.0.1:{port}{scenario.path}"
    environment = dict(os.environ, BENCH_FRAMEWORK=framework, BENCH_SCENARIO=scenario_name,
                       PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""))
    log = open(os.path.join(results_dir(), f"{server}-{framework}-{scenario_name}.log"), "wb")
    process = subprocess.Popen(server_command(server, port), cwd=HERE, env=environment,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        status, body = wait_ready(url, time.monotonic() + 60)
        if status != scenario.status or not scenario.check_body(body):
            return {"error": f"wrong answer: {status} {body[:100]!r}"}
        run_wrk(url, 1, connections)  # warm-up: imports, caches, Falcon's router compile
        result = run_wrk(url, seconds, connections)
        if result["non_2xx"] or result["rps"] is None:
            result["error"] = f"non-2xx {result['non_2xx']}, output: {result['raw'][-300:]}"
        return result
    except (TimeoutError, subprocess.TimeoutExpired) as error:
        return {"error": str(error)}
    finally:
        stop(process)
        log.close()


def results_dir() -> str:
    path = os.path.join(HERE, "results")
    os.makedirs(path, exist_ok=True)
    return path


def available_frameworks(names: list[str]) -> list[str]:
    """The frameworks whose app module imports in this interpreter."""
    import importlib

    found = []
    for name in names:
        try:
            importlib.import_module(f"apps.{name}")
            found.append(name)
        except ImportError as error:
            print(f"  e2e: skipping {name}: {error}", file=sys.stderr)
    return found


def run(seconds: float, connections: int, frameworks: list[str],
        servers: tuple[str, ...] = ("granian", "gunicorn")) -> dict[str, Any]:
    """Every server x scenario x framework; returns results as plain data."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    frameworks = available_frameworks(frameworks)
    results: dict[str, Any] = {}
    for server in servers:
        for scenario in E2E_SCENARIOS:
            for framework in frameworks:
                print(f"  e2e {server:<8} {scenario:<8} {framework:<9}", end="", file=sys.stderr,
                      flush=True)
                case = measure_case(server, framework, scenario, seconds, connections)
                if "error" not in case:
                    case.pop("raw", None)
                results.setdefault(server, {}).setdefault(scenario, {})[framework] = case
                shown = f"{case['rps']:>10,.0f} req/s" if case.get("rps") else case.get("error")
                print(f" {shown}", file=sys.stderr, flush=True)
    return {"seconds": seconds, "connections": connections, "frameworks": frameworks,
            "results": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="wrk duration per case")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--frameworks", default=",".join(E2E_FRAMEWORKS))
    parser.add_argument("--servers", default="granian,gunicorn")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    data = run(args.seconds, args.connections, args.frameworks.split(","),
               tuple(args.servers.split(",")))
    print(json.dumps(data["results"], indent=1))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(data, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
