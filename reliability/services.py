"""The processes a load run needs, each started as a subprocess and stopped bounded in
time: a throwaway ``redis-server``, a PostgreSQL schema of its own, and the notes app under
demijohn's wsgiref adapter or gunicorn, all on 127.0.0.1."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
NOTES_DIR = ROOT / "examples" / "notes"
DATABASE_URL = os.environ.get("DEMIJOHN_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
HOST = "127.0.0.1"


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (bind port 0, read it, release it)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float, what: str, step: float = 0.05) -> None:
    """Poll ``check`` until it is true; a ``TimeoutError`` naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(step)
    raise TimeoutError(f"{what}: not within {timeout} s")


def stop_process(process: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after ``timeout`` seconds; always reaped."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


# --------------------------------------------------------------------------------------------
# Services


class RedisServer:
    """A throwaway ``redis-server`` on its own port, data in ``folder``; stop/start keep the
    data (saved on SIGTERM), as a restarted production Redis with persistence would."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", HOST, "--save", "3600 1", "--appendonly", "no",
             "--dir", str(self.folder), "--dbfilename", "dump.rdb", "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.ping, 10, f"redis-server on port {self.port} answers PING")

    def ping(self) -> bool:
        import redis

        client = redis.Redis(host=HOST, port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        """Stop; SIGTERM makes Redis save its data first (a save point is configured).
        Bounded: SIGKILL after 10 s."""
        if self.process is not None:
            stop_process(self.process)


class Database:
    """A PostgreSQL schema of its own with the notes tables, and an ``application_name``
    so the app's connections can be counted and terminated in ``pg_stat_activity``."""

    def __init__(self) -> None:
        import sqlalchemy

        self.schema = f"reliability_{uuid.uuid4().hex[:10]}"
        self.application_name = self.schema
        self.admin = sqlalchemy.create_engine(_psycopg(DATABASE_URL), pool_size=1, max_overflow=0)
        with self.admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {self.schema}")
        separator = "&" if "?" in DATABASE_URL else "?"
        self.url = (f"{_psycopg(DATABASE_URL)}{separator}application_name={self.application_name}"
                    f"&options=-csearch_path%3D{self.schema}")
        from notes.models import Base

        engine = sqlalchemy.create_engine(self.url)
        Base.metadata.create_all(engine)  # before the workers start: no create_all race between them
        engine.dispose()

    def scalar(self, sql: str, **params: Any) -> Any:
        import sqlalchemy

        with self.admin.connect() as connection:
            return connection.execute(sqlalchemy.text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[Any]:
        import sqlalchemy

        with self.admin.connect() as connection:
            return list(connection.execute(sqlalchemy.text(sql), params))

    def app_connections(self) -> int:
        """How many connections the app holds open now."""
        return int(self.scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name",
                               name=self.application_name))

    def terminate_app_connections(self) -> int:
        """``pg_terminate_backend`` every connection of the app; how many were killed."""
        return len(self.rows("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name",
                             name=self.application_name))

    def notes(self) -> dict[int, tuple[str, str]]:
        """Every stored note: id -> (owner's user name, title)."""
        found = self.rows(f"SELECT n.id, u.username, n.title FROM {self.schema}.notes n "
                          f"JOIN {self.schema}.users u ON u.id = n.owner_id")
        return {row[0]: (row[1], row[2]) for row in found}

    def drop(self) -> None:
        with self.admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {self.schema} CASCADE")
        self.admin.dispose()


def _sockets_to(port: int) -> set[str]:
    """``socket:[inode]`` names of the TCP connections to 127.0.0.1:``port`` (from /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[2].rsplit(":", 1)[1], 16) == port:
            found.add(f"socket:[{fields[9]}]")
    return found


def _psycopg(url: str) -> str:
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


# --------------------------------------------------------------------------------------------
# The app under a real server


class AppServer:
    """The notes app served by ``kind`` (``'wsgiref'``: demijohn's threaded adapter via
    ``python -m demijohn``; ``'gunicorn'``: two sync workers) on a free port."""

    def __init__(self, kind: str, database_url: str, redis_url: str, log: Path) -> None:
        self.kind, self.port = kind, free_port()
        env = {**os.environ, "NOTES_DATABASE_URL": database_url, "NOTES_REDIS_URL": redis_url,
               "NOTES_REDIS_PREFIX": f"reliability:{uuid.uuid4().hex[:8]}:", "NOTES_SECRET": secrets.token_urlsafe(32),
               "NOTES_SCRYPT_N": "16", "PYTHONUNBUFFERED": "1"}
        bind = f"{HOST}:{self.port}"
        if kind == "wsgiref":
            command = [sys.executable, "-m", "demijohn", "--bind", bind, "--server", "wsgiref", "notes:app"]
        elif kind == "gunicorn":
            command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", bind, "--graceful-timeout", "5",
                       "--timeout", "30", "--log-level", "warning", "notes:app"]
        else:
            raise ValueError(f"unknown server kind {kind!r}: use 'wsgiref' or 'gunicorn'")
        self.log = log.open("wb")
        self.process = subprocess.Popen(command, cwd=NOTES_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_until(self._answers, 30, f"{kind} serving the notes app on {bind}", step=0.1)
            if kind == "gunicorn":
                wait_until(lambda: len(self.workers()) == 2, 30, "gunicorn's two workers")
        except BaseException:
            self.stop()
            raise

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"the {self.kind} server exited with {self.process.returncode}; see {self.log.name}")
        try:
            return request(self.port, "GET", "/static/style.css").status == 200
        except OSError:
            return False

    def workers(self) -> list[int]:
        """The pids of the server's child processes (gunicorn's workers)."""
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    children.append(int(entry.name))
        return sorted(children)

    def resources(self, redis_port: int | None = None) -> dict[str, float]:
        """Open file descriptors, threads and resident memory (MB) of the server's processes;
        with ``redis_port``, the descriptors split into pooled Redis connections and the rest."""
        fds = threads = rss_kb = redis_connections = 0
        to_redis = _sockets_to(redis_port) if redis_port else set()
        for pid in [self.process.pid, *self.workers()]:
            try:
                targets = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            fds += len(targets)
            redis_connections += sum(1 for target in targets if target in to_redis)
            threads += int(re.search(r"^Threads:\s+(\d+)", status, re.M).group(1))  # type: ignore[union-attr]
            rss_kb += int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1))  # type: ignore[union-attr]
        measured: dict[str, float] = {"fds": fds, "threads": threads, "rss_mb": round(rss_kb / 1024, 1)}
        if redis_port:
            measured.update(redis_connections=redis_connections, other_fds=fds - redis_connections)
        return measured

    def stop(self) -> None:
        stop_process(self.process, timeout=15)
        self.log.close()


# --------------------------------------------------------------------------------------------
# HTTP


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 30.0) -> Reply:
    """One request on a fresh connection to 127.0.0.1:``port``."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return Reply(answer.status, answer.headers, answer.read())
    finally:
        connection.close()
