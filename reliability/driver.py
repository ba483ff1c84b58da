"""Load and fault driver for the notes app served over real HTTP on 127.0.0.1.

It starts what it needs as subprocesses and stops each one, bounded in time: a throwaway
``redis-server`` on a free port, the notes app under demijohn's threaded wsgiref adapter
(``python -m demijohn``) or under gunicorn with two workers, on a PostgreSQL schema and a
Redis key prefix of their own. Simulated users each sign up, then send a bounded number of
requests with their own session cookie, checking that every answer holds only their data.
Faults (Redis stopped and started, PostgreSQL connections terminated, a gunicorn worker
killed) are injected at points of progress, each inside a recorded time window.

Run it by hand: ``python reliability/driver.py --server gunicorn --users 50 --requests 200 --faults``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
NOTES_DIR = ROOT / "examples" / "notes"

from services import AppServer, Database, RedisServer, Reply, request, wait_until  # noqa: E402


class User:
    """One simulated visitor with a cookie jar of their own."""

    def __init__(self, port: int, username: str, password: str = "correct horse battery") -> None:
        self.port, self.username, self.password = port, username, password
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None) -> Reply:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        reply = request(self.port, method, path, body, headers)
        for header in reply.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or (morsel.value == "" and morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.coded_value
        return reply

    def form(self, path: str, fields: dict[str, str]) -> Reply:
        return self.send("POST", path, urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def sign(self, page: str) -> Reply:
        """Sign up (``page='signup'``) or log in; the form's CSRF token comes from the GET."""
        form_page = self.send("GET", f"/{page}")
        token = re.search(r'name="csrf" value="([^"]+)"', form_page.text)
        if form_page.status != 200 or token is None:
            return form_page
        return self.form(f"/{page}", {"csrf": token.group(1), "username": self.username, "password": self.password})


# --------------------------------------------------------------------------------------------
# Load


@dataclass
class Outcome:
    """What happened to one request: when, what, and what was wrong with it."""

    user: str
    op: str
    started: float
    ended: float
    status: int | None  # None: no HTTP answer (connection refused or reset)
    problem: str | None = None


@dataclass
class LoadResult:
    outcomes: list[Outcome] = field(default_factory=list)
    acknowledged: dict[int, tuple[str, str]] = field(default_factory=dict)  # note id -> (user, title)
    attempted_after_ack: set[int] = field(default_factory=set)
    leaks: list[str] = field(default_factory=list)
    relogins: int = 0
    acknowledgements: int = 0  # 2xx answers to writes, counting every update of a note
    fault_windows: list[tuple[str, float, float]] = field(default_factory=list)
    fault_notes: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def in_window(self, outcome: Outcome, kind: str | None = None) -> bool:
        return any(start <= outcome.ended and outcome.started <= end
                   for name, start, end in self.fault_windows if kind is None or name == kind)

    def window_counts(self, kind: str) -> dict[str, int]:
        """Answers overlapping the fault window ``kind``, counted as ``'op status'``."""
        counts = Counter(f"{item.op} {'no answer' if item.status is None else item.status}"
                         for item in self.outcomes if self.in_window(item, kind))
        return dict(sorted(counts.items()))

    def statuses(self) -> Counter[str]:
        return Counter("no answer" if item.status is None else str(item.status) for item in self.outcomes)

    def failures_outside_windows(self) -> list[Outcome]:
        """5xx answers and requests without an answer that no fault window explains."""
        return [item for item in self.outcomes
                if (item.status is None or item.status >= 500) and not self.in_window(item)]

    def summary(self) -> dict[str, Any]:
        return {
            "requests": len(self.outcomes), "seconds": round(self.seconds, 1),
            "statuses": dict(sorted(self.statuses().items())),
            "failures_outside_fault_windows": len(self.failures_outside_windows()),
            "cross_user_leaks": len(self.leaks), "writes_acknowledged": len(self.acknowledged),
            "relogins": self.relogins,
            "write_acknowledgements": self.acknowledgements,
            "faults": [{"fault": name, "seconds": round(end - start, 2), "answers_in_window": self.window_counts(name)}
                       for name, start, end in self.fault_windows],
            **self.fault_notes,
        }


_OWNER = re.compile(r"\bu\d+x[0-9a-f]{6}\b")


class LoadRun:
    """``users`` simulated users, each sending ``requests`` requests (more, up to
    ``max_requests``, while ``keep_going`` is set), all stopped by ``deadline`` seconds."""

    def __init__(self, port: int, users: int, requests: int, *, max_requests: int | None = None,
                 deadline: float = 300.0, token: str | None = None) -> None:
        self.port, self.requests = port, requests
        self.max_requests = max_requests or requests
        self.deadline = deadline
        self.token = token or secrets.token_hex(3)
        self.users = [User(port, f"u{index}x{self.token}") for index in range(users)]
        self.result = LoadResult()
        self.keep_going = threading.Event()
        self.done = 0
        self._lock = threading.Lock()

    def sign_up_all(self) -> None:
        for user in self.users:
            reply = user.sign("signup")
            if reply.status != 303:
                raise RuntimeError(f"sign-up of {user.username} answered {reply.status}: {reply.text[:200]}")

    def run(self) -> LoadResult:
        started = time.monotonic()
        stop_at = started + self.deadline
        threads = [threading.Thread(target=self._drive, args=(user, stop_at), daemon=True) for user in self.users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.0, stop_at - time.monotonic()) + 35)  # a request's own timeout is 30 s
        self.result.seconds = time.monotonic() - started
        if any(thread.is_alive() for thread in threads):
            raise TimeoutError(f"the load did not finish within {self.deadline} s")
        return self.result

    def _record(self, outcome: Outcome) -> None:
        with self._lock:
            self.result.outcomes.append(outcome)
            self.done += 1

    def _drive(self, user: User, stop_at: float) -> None:
        own: list[int] = []  # this user's acknowledged note ids
        count = 0
        while count < self.max_requests and time.monotonic() < stop_at and (
                count < self.requests or self.keep_going.is_set()):
            op = ("create", "list", "get", "page", "public", "update")[count % 6]
            if op in ("get", "update") and not own:
                op = "create"
            self._one(user, op, count, own)
            count += 1

    def _one(self, user: User, op: str, count: int, own: list[int]) -> None:
        prefix = f"{user.username}:"
        started = time.monotonic()
        problem = None
        note_id = own[count % len(own)] if own else None
        title = f"{prefix}{count}"
        try:
            if op == "create":
                reply = user.send("POST", "/api/notes", json.dumps({"title": title, "body": "x" * 40}).encode(),
                                  "application/json")
            elif op == "update":
                with self._lock:
                    self.result.attempted_after_ack.add(note_id)  # type: ignore[arg-type]
                reply = user.send("PUT", f"/api/notes/{note_id}", json.dumps({"title": title}).encode(),
                                  "application/json")
            elif op == "list":
                reply = user.send("GET", "/api/notes")
            elif op == "get":
                reply = user.send("GET", f"/api/notes/{note_id}")
            elif op == "page":
                reply = user.send("GET", "/notes")
            else:
                reply = user.send("GET", "/public")
        except (OSError, http.client.HTTPException) as error:
            self._record(Outcome(user.username, op, started, time.monotonic(), None, type(error).__name__))
            time.sleep(0.05)
            return
        ended = time.monotonic()
        if reply.status in (200, 201):
            problem = self._check(user, op, reply, prefix, own, title, note_id)
        self._record(Outcome(user.username, op, started, ended, reply.status, problem))
        if problem:
            with self._lock:
                self.result.leaks.append(f"{user.username} {op}: {problem}")
        if reply.status == 401 or (op == "page" and reply.status == 303):
            with self._lock:
                self.result.relogins += 1
            user.sign("login")
        elif reply.status == 503:
            time.sleep(min(float(reply.headers.get("Retry-After") or 1), 0.2))

    def _check(self, user: User, op: str, reply: Reply, prefix: str, own: list[int], title: str,
               note_id: int | None) -> str | None:
        """Whatever came back must be this user's own data; record acknowledged writes."""
        if op == "public":
            return None
        if op == "page":
            owners = set(_OWNER.findall(reply.text))
            return None if owners <= {user.username} else f"page shows {sorted(owners - {user.username})}"
        data = json.loads(reply.body)
        notes = data["notes"] if op == "list" else [data]
        strangers = [note["title"] for note in notes if not note["title"].startswith(prefix)]
        if strangers:
            return f"got notes of others: {strangers[:3]}"
        if op in ("create", "update"):
            if data["title"] != title:
                return f"wrote {title!r}, answer says {data['title']!r}"
            with self._lock:
                self.result.acknowledged[data["id"]] = (user.username, title)
                self.result.acknowledgements += 1
                self.result.attempted_after_ack.discard(data["id"])
            if op == "create":
                own.append(data["id"])
        if op == "list":
            missing = set(own) - {note["id"] for note in notes}
            if missing:
                return f"acknowledged notes missing from the list: {sorted(missing)[:5]}"
        return None


def lost_writes(result: LoadResult, stored: dict[int, tuple[str, str]]) -> list[str]:
    """Acknowledged writes that are not in the database as acknowledged."""
    lost = []
    for note_id, (owner, title) in result.acknowledged.items():
        found = stored.get(note_id)
        if found is None:
            lost.append(f"note {note_id} of {owner} is missing")
        elif found[0] != owner:
            lost.append(f"note {note_id} belongs to {found[0]}, not {owner}")
        elif found[1] != title and note_id not in result.attempted_after_ack:
            lost.append(f"note {note_id} has title {found[1]!r}, acknowledged {title!r}")
    return lost


# --------------------------------------------------------------------------------------------
# Faults


class FaultInjector(threading.Thread):
    """Injects the faults one after another once the load reaches given fractions of its
    planned requests, then lets the clients stop; every wait is bounded."""

    def __init__(self, run: LoadRun, server: AppServer, redis_server: RedisServer, database: Database,
                 outage: float = 1.5) -> None:
        super().__init__(daemon=True)
        self.run_, self.server, self.redis, self.database, self.outage = run, server, redis_server, database, outage
        self.error: BaseException | None = None
        self.planned = len(run.users) * run.requests

    def _at(self, fraction: float) -> None:
        wait_until(lambda: self.run_.done >= fraction * self.planned, 120, f"load reaching {fraction:.0%}")

    def run(self) -> None:
        result = self.run_.result
        try:
            self.run_.keep_going.set()
            self._at(0.15)
            start = time.monotonic()
            self.redis.stop()
            time.sleep(self.outage)
            self.redis.start()
            time.sleep(2.0)  # the cache retries its backend after retry_interval (1 s)
            result.fault_windows.append(("redis stopped and started", start, time.monotonic()))

            time.sleep(1.0)  # a quiet second between faults keeps their windows apart
            self._at(0.45)
            start = time.monotonic()
            killed = 0
            for _ in range(5):
                killed += self.database.terminate_app_connections()
                time.sleep(0.2)
            time.sleep(1.0)
            result.fault_windows.append(("postgresql connections terminated", start, time.monotonic()))
            result.fault_notes["postgresql_connections_terminated"] = killed

            if self.server.kind == "gunicorn":
                time.sleep(1.0)
                self._at(0.7)
                start = time.monotonic()
                before = self.server.workers()
                os.kill(before[0], signal.SIGKILL)
                wait_until(lambda: len(self.server.workers()) == 2 and before[0] not in self.server.workers(), 30,
                           "gunicorn replacing the killed worker")
                time.sleep(1.0)
                result.fault_windows.append(("gunicorn worker killed (SIGKILL)", start, time.monotonic()))
                result.fault_notes["worker_replaced"] = sorted(set(self.server.workers()) - set(before))
            self._at(0.9)
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            self.run_.keep_going.clear()


def main(argv: list[str] | None = None) -> int:
    """Run one load (and, with ``--faults``, fault) session and print its figures as JSON."""
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=["wsgiref", "gunicorn"], default="gunicorn")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--faults", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(NOTES_DIR))
    with tempfile.TemporaryDirectory() as folder:
        redis_server = RedisServer(Path(folder))
        redis_server.start()
        database = Database()
        server = AppServer(args.server, database.url, redis_server.url, Path(folder) / "server.log")
        try:
            run = LoadRun(server.port, args.users, args.requests, max_requests=args.requests * 5)
            run.sign_up_all()
            injector = FaultInjector(run, server, redis_server, database) if args.faults else None
            if injector:
                injector.start()
            result = run.run()
            if injector:
                injector.join(60)
            summary = result.summary()
            summary["lost_writes"] = len(lost_writes(result, database.notes()))
            print(json.dumps(summary, indent=2))
        finally:
            server.stop()
            redis_server.stop()
            database.drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
