"""End-to-end benchmark: each framework under gunicorn and granian, driven by `wrk`.

For every server and scenario the script starts one server per framework, each on a free
port on 127.0.0.1, checks one answer from each, warms each up for a second, then runs
`wrk` against them in turns of one second, forward then backward (sharing the `--seconds`
budget, so a busy moment of a shared machine hits every framework alike), and stops them
(SIGTERM, then SIGKILL to the server's own process group after a grace period).

    python bench/e2e.py --seconds 5
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
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
E2E_FRAMEWORKS = ("bare", "demijohn", "bottle", "falcon", "falcon_pure", "flask")
# demijohn's own adapters, each as `run(app, server=NAME)` with its defaults: which is
# fastest decides the order `run(server='auto')` tries them in.
ADAPTERS = ("granian", "waitress", "cheroot", "gunicorn", "wsgiref")
RUN_ADAPTER = ("import sys, demijohn\nfrom apps.serve import app\n"
               "demijohn.run(app, server=sys.argv[1], port=int(sys.argv[2]), quiet=True)")


def server_command(server: str, port: int) -> list[str]:
    """The command line that serves `apps.serve:app` on 127.0.0.1:`port`; a server
    `adapter:NAME` is demijohn's `run(server=NAME)`."""
    if server.startswith("adapter:"):
        return [sys.executable, "-c", RUN_ADAPTER, server.split(":", 1)[1], str(port)]
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
    total = re.search(r"(\d+) requests in", output)
    result["requests"] = int(total.group(1)) if total else 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    result["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    errors = re.search(r"Socket errors: (.*)", output)
    result["socket_errors"] = errors.group(1) if errors else ""
    return result


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(group: int) -> float:
    """User + system CPU time of every live process in a process group, in seconds."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after "pid (comm)": state ppid pgrp ... utime is field 14, stime 15 (1-based)
        if int(fields[2]) == group:
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


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


class Server:
    """One framework's app served by one server on a free port, with its log file."""

    def __init__(self, server: str, framework: str, scenario_name: str, label: str = "") -> None:
        self.framework = label or framework
        self.scenario = SCENARIOS[scenario_name]
        port = free_port()
        self.url = f"http://127.0.0.1:{port}{self.scenario.path}"
        path = [HERE, os.environ.get("PYTHONPATH", "")]
        if framework == "falcon_pure":  # its wheel's folder first: `import falcon` finds it
            framework = "falcon"
            path.insert(0, os.path.join(os.path.dirname(BIN), "falcon-pure"))
        environment = dict(os.environ, BENCH_FRAMEWORK=framework, BENCH_SCENARIO=scenario_name,
                           PYTHONPATH=os.pathsep.join(path))
        if self.framework == "falcon_pure":
            environment["BENCH_FALCON_PURE"] = "1"
        name = f"{server}-{self.framework}-{scenario_name}.log".replace(":", "-")
        self.log = open(os.path.join(results_dir(), name), "wb")
        self.process = subprocess.Popen(server_command(server, port), cwd=HERE, env=environment,
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def check(self) -> str | None:
        """Wait for the first answer; return what is wrong with it, or None."""
        try:
            status, body = wait_ready(self.url, time.monotonic() + 60)
        except TimeoutError as error:
            return str(error)
        if status != self.scenario.status or not self.scenario.check_body(body):
            return f"wrong answer: {status} {body[:100]!r}"
        return None

    def close(self) -> None:
        stop(self.process)
        self.log.close()


def measure_group(server: str, scenario_name: str, frameworks: list[str], seconds: float,
                  connections: int) -> dict[str, dict[str, Any]]:
    """All frameworks of one server and scenario, started together, measured interleaved.

    Each framework gets one-second wrk runs adding up to `seconds` (at least two), in turns,
    forward then backward, so a busy moment of the machine does not land on one
    framework only; the figure is the median run. The server's CPU time (its whole
    process group, from /proc) per request completed is recorded too: unlike req/s it
    does not drop when other processes take the CPU.
    """
    servers = [Server(server, framework, scenario_name) for framework in frameworks]
    return measure_servers(servers, seconds, connections)


def measure_servers(servers: list[Server], seconds: float, connections: int,
                    ) -> dict[str, dict[str, Any]]:
    """Measure already started servers side by side, in turns; results by their label."""
    passes = max(2, round(seconds))
    results: dict[str, dict[str, Any]] = {}
    try:
        live = []
        for one in servers:
            error = one.check()
            if error:
                results[one.framework] = {"error": error}
            else:
                run_wrk(one.url, 1, connections)  # warm-up: caches, Falcon's router compile
                live.append(one)
        runs: dict[str, list[dict[str, Any]]] = {one.framework: [] for one in live}
        for number in range(passes):
            for one in (live if number % 2 == 0 else list(reversed(live))):
                before = group_cpu_seconds(one.process.pid)
                measured = run_wrk(one.url, 1, connections)
                cpu = group_cpu_seconds(one.process.pid) - before
                if measured["requests"]:
                    measured["cpu_us_per_request"] = cpu / measured["requests"] * 1e6
                runs[one.framework].append(measured)
        for framework, measured in runs.items():
            rates = [run["rps"] for run in measured if run["rps"] is not None]
            cpu_costs = [run["cpu_us_per_request"] for run in measured
                         if run.get("cpu_us_per_request")]
            result: dict[str, Any] = {
                "rps": statistics.median(rates) if len(rates) == passes else None,
                "rps_runs": rates,
                "cpu_us_per_request": statistics.median(cpu_costs) if cpu_costs else None,
                "p50_ms": max((run.get("p50_ms") or 0) for run in measured),
                "p99_ms": max((run.get("p99_ms") or 0) for run in measured),
                "non_2xx": sum(run["non_2xx"] for run in measured),
                "socket_errors": "; ".join(run["socket_errors"] for run in measured),
            }
            if result["non_2xx"] or result["rps"] is None:
                result["error"] = (f"non-2xx {result['non_2xx']}, output: "
                                   f"{measured[-1]['raw'][-300:]}")
            results[framework] = result
    finally:
        for one in servers:
            one.close()
    return results


def adapters(seconds: float, connections: int, names: tuple[str, ...] = ADAPTERS,
             ) -> dict[str, dict[str, Any]]:
    """demijohn's hello app under each installed adapter (`run(server=NAME)`, defaults)."""
    from demijohn import server_names

    installed = [name for name in names if server_names[name].installed()]
    servers = [Server(f"adapter:{name}", "demijohn", "hello", label=name) for name in installed]
    return measure_servers(servers, seconds, connections)


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
            print(f"  e2e {server:<8} {scenario:<8}", end="", file=sys.stderr, flush=True)
            group = measure_group(server, scenario, frameworks, seconds, connections)
            results.setdefault(server, {})[scenario] = group
            shown = ", ".join(f"{fw} {case['rps']:,.0f}" if case.get("rps") else
                              f"{fw} {case.get('error')}" for fw, case in group.items())
            print(f" req/s: {shown}", file=sys.stderr, flush=True)
    print("  e2e demijohn's adapters", end="", file=sys.stderr, flush=True)
    by_adapter = adapters(seconds, connections)
    print(" req/s: " + ", ".join(f"{name} {case.get('rps') or 0:,.0f}"
                                 for name, case in by_adapter.items()), file=sys.stderr)
    return {"seconds": seconds, "connections": connections, "frameworks": frameworks,
            "results": results, "adapters": by_adapter}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="wrk duration per case")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--frameworks", default=",".join(E2E_FRAMEWORKS))
    parser.add_argument("--servers", default="granian,gunicorn")
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--adapters", action="store_true",
                        help="only demijohn's hello app under each of its server adapters")
    args = parser.parse_args(argv)
    if args.adapters:
        print(json.dumps(adapters(args.seconds, args.connections), indent=1))
        return 0
    data = run(args.seconds, args.connections, args.frameworks.split(","),
               tuple(args.servers.split(",")))
    print(json.dumps(data["results"], indent=1))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(data, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
