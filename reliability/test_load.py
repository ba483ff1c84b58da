"""The notes app under load on real servers (demijohn's threaded wsgiref adapter, and
gunicorn with two workers) on PostgreSQL and a throwaway Redis, all on 127.0.0.1; then the
same load with faults injected. Each run happens once per module, in a fixture; the tests
below each check one property of it.

CI size: 20 users × 50 requests per server (the fault run continues until its faults are
done, at most 5× that). ``--full``: 50 users × 200 requests."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from conftest import service_missing
from driver import AppServer, Database, FaultInjector, LoadResult, LoadRun, RedisServer, lost_writes, request, wait_until

# Tolerances for "flat": what the server holds after the load, compared with what it held
# after a warm-up at the same concurrency (pools filled, templates compiled).
FD_TOLERANCE = 5
THREAD_TOLERANCE = 2
RSS_TOLERANCE_MB = 30.0
POOL_SIZE = 5  # SQLAlchemy's default QueuePool size: idle connections kept per process


def _size(full: bool) -> tuple[int, int]:
    return (50, 200) if full else (20, 50)


@pytest.fixture(scope="module")
def database() -> Any:
    import sqlalchemy

    try:
        database = Database()
    except sqlalchemy.exc.OperationalError as error:
        service_missing(f"PostgreSQL does not answer: {error}")
    yield database
    database.drop()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    try:
        server.start()
    except (OSError, TimeoutError) as error:
        service_missing(f"cannot start a throwaway redis-server: {error}")
    yield server
    server.stop()


def _settled(server: AppServer, baseline: dict[str, float], redis_port: int) -> dict[str, float]:
    """Resources after the load, once finished request threads have had up to 5 s to end."""
    try:
        wait_until(lambda: server.resources()["threads"] <= baseline["threads"] + THREAD_TOLERANCE, 5,
                   "request threads ending", step=0.1)
    except TimeoutError:
        pass  # the test on threads reports it
    return server.resources(redis_port)


@pytest.fixture(scope="module", params=["wsgiref", "gunicorn"])
def load(request: pytest.FixtureRequest, database: Database, redis_server: RedisServer, full_size: bool,
         figures: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One load run on a fresh server; yields the result and the resource measurements."""
    users, per_user = _size(full_size)
    server = AppServer(request.param, database.url, redis_server.url, tmp_path_factory.mktemp("log") / "server.log")
    try:
        warm_up = LoadRun(server.port, users, 12)
        warm_up.sign_up_all()
        warm_up.run()
        before = {**server.resources(redis_server.port), "db_connections": database.app_connections()}
        run = LoadRun(server.port, users, per_user, token=warm_up.token)
        run.users = warm_up.users  # the same signed-in users
        result = run.run()
        after = {**_settled(server, before, redis_server.port), "db_connections": database.app_connections()}
        lost = lost_writes(result, database.notes())
        workers = len(server.workers()) or 1
        figures.setdefault("load", {})[request.param] = {
            "users": users, "requests_per_user": per_user, **result.summary(), "lost_writes": len(lost),
            "resources_before": before, "resources_after": after}
        yield {"result": result, "before": before, "after": after, "lost": lost, "processes": workers,
               "users": users, "log": server.log.name}
    finally:
        server.stop()


def test_no_request_under_load_gets_a_5xx_or_no_answer(load: dict[str, Any]) -> None:
    result: LoadResult = load["result"]
    failures = result.failures_outside_windows()
    assert not failures, (failures[:5], Path(load["log"]).read_text()[-3000:])


def test_every_answer_under_load_holds_only_its_own_users_data(load: dict[str, Any]) -> None:
    assert load["result"].leaks == []


def test_every_write_acknowledged_under_load_is_in_the_database(load: dict[str, Any]) -> None:
    assert load["result"].acknowledged and load["lost"] == []


def test_file_descriptors_other_than_pooled_connections_are_flat_after_the_load(load: dict[str, Any]) -> None:
    assert load["after"]["other_fds"] <= load["before"]["other_fds"] + FD_TOLERANCE, (load["before"], load["after"])


def test_pooled_redis_connections_stay_within_the_peak_concurrency(load: dict[str, Any]) -> None:
    # redis-py keeps a connection per concurrent request in its pool (sessions and cache:
    # two pools); they are reused, not leaked, so their number follows the concurrency.
    assert load["after"]["redis_connections"] <= 2 * load["users"], (load["before"], load["after"])


def test_threads_are_flat_after_the_load(load: dict[str, Any]) -> None:
    assert load["after"]["threads"] <= load["before"]["threads"] + THREAD_TOLERANCE, (load["before"], load["after"])


def test_memory_is_flat_after_the_load(load: dict[str, Any]) -> None:
    assert load["after"]["rss_mb"] <= load["before"]["rss_mb"] + RSS_TOLERANCE_MB, (load["before"], load["after"])


def test_database_pool_connections_are_flat_after_the_load(load: dict[str, Any]) -> None:
    after, before = load["after"]["db_connections"], load["before"]["db_connections"]
    assert after <= max(before, POOL_SIZE * load["processes"]), (before, after)


# --------------------------------------------------------------------------------------------
# Faults


@pytest.fixture(scope="module")
def faults(database: Database, redis_server: RedisServer, full_size: bool, figures: dict[str, Any],
           tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Load on gunicorn (two workers) while Redis stops and starts, PostgreSQL connections
    are terminated and a worker is killed."""
    users, per_user = _size(full_size)
    server = AppServer("gunicorn", database.url, redis_server.url, tmp_path_factory.mktemp("log") / "server.log")
    try:
        run = LoadRun(server.port, users, per_user, max_requests=per_user * 5)
        run.sign_up_all()
        injector = FaultInjector(run, server, redis_server, database)
        injector.start()
        result = run.run()
        injector.join(60)
        # After the faults: the session store, the cache and the pool serve again.
        probe = run.users[0]
        after = {"api": probe.send("GET", "/api/notes").status,
                 "public_cached_again": _public_numbers_cached_again(probe, redis_server.url),
                 "workers": len(server.workers()), "db_connections": database.app_connections()}
        lost = lost_writes(result, database.notes())
        figures["faults"] = {"users": users, "requests_per_user_at_least": per_user, **result.summary(),
                             "lost_writes": len(lost), "after_faults": after}
        yield {"result": result, "after": after, "lost": lost, "error": injector.error, "log": server.log.name}
    finally:
        server.stop()
        if not redis_server.ping():
            redis_server.start()


def _public_numbers_cached_again(probe: Any, redis_url: str) -> bool:
    """Drop the public page's cached numbers, show the page, and see them stored in Redis again."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        stale = list(client.scan_iter(match="*cache:m:*"))
        if stale:
            client.delete(*stale)
        return probe.send("GET", "/public").status == 200 and any(client.scan_iter(match="*cache:m:*"))
    finally:
        client.close()


def _window(result: LoadResult, name: str) -> list[Any]:
    return [item for item in result.outcomes if result.in_window(item, name)]


def test_every_fault_was_injected(faults: dict[str, Any]) -> None:
    assert faults["error"] is None and len(faults["result"].fault_windows) == 3, faults["error"]


def test_no_5xx_or_lost_answer_outside_the_fault_windows(faults: dict[str, Any]) -> None:
    failures = faults["result"].failures_outside_windows()
    assert not failures, (failures[:5], Path(faults["log"]).read_text()[-3000:])


def test_sessions_answer_503_while_redis_is_down(faults: dict[str, Any]) -> None:
    answers = _window(faults["result"], "redis stopped and started")
    assert any(item.status == 503 for item in answers if item.op != "public")


def test_the_cached_public_page_is_served_from_the_database_while_redis_is_down(faults: dict[str, Any]) -> None:
    answers = [item for item in _window(faults["result"], "redis stopped and started") if item.op == "public"]
    assert answers and all(item.status == 200 for item in answers)


def test_sessions_and_cache_serve_again_after_redis_returns(faults: dict[str, Any]) -> None:
    assert faults["after"]["api"] == 200 and faults["after"]["public_cached_again"]


def test_terminated_database_connections_answer_503_or_succeed_never_500(faults: dict[str, Any]) -> None:
    answers = _window(faults["result"], "postgresql connections terminated")
    assert answers and all(item.status in (200, 201, 503) for item in answers if item.status is not None)


def test_the_database_pool_recovers_after_its_connections_were_terminated(faults: dict[str, Any]) -> None:
    result: LoadResult = faults["result"]
    end = max(stop for name, _, stop in result.fault_windows if name == "postgresql connections terminated")
    later = [item for item in result.outcomes if item.started > end and not result.in_window(item)]
    assert later and all(item.status is not None and item.status < 500 for item in later)


def test_gunicorn_replaces_a_killed_worker(faults: dict[str, Any]) -> None:
    assert faults["after"]["workers"] == 2 and faults["result"].fault_notes.get("worker_replaced")


def test_no_answer_during_faults_holds_another_users_data(faults: dict[str, Any]) -> None:
    assert faults["result"].leaks == []


def test_every_write_acknowledged_during_faults_is_in_the_database(faults: dict[str, Any]) -> None:
    assert faults["result"].acknowledged and faults["lost"] == []


# --------------------------------------------------------------------------------------------
# Oversized requests on the real servers


@pytest.fixture(scope="module", params=["wsgiref", "gunicorn"])
def server(request: pytest.FixtureRequest, database: Database, redis_server: RedisServer,
           tmp_path_factory: pytest.TempPathFactory) -> Any:
    server = AppServer(request.param, database.url, redis_server.url, tmp_path_factory.mktemp("log") / "server.log")
    yield server
    server.stop()


def test_an_oversized_header_is_refused_with_a_4xx_and_the_server_keeps_serving(server: AppServer) -> None:
    try:
        status = request(server.port, "GET", "/public", headers={"X-Big": "x" * 200_000}, timeout=10).status
    except ConnectionError:
        status = None  # some servers drop the connection instead of answering: still not a 5xx
    assert (status is None or 400 <= status < 500) and request(server.port, "GET", "/public").status == 200


def test_an_oversized_body_is_refused_with_413_on_a_real_server(server: AppServer) -> None:
    started = time.monotonic()
    status = request(server.port, "POST", "/api/notes", body=b"{}",
                     headers={"Content-Type": "application/json", "Content-Length": str(10**12)}, timeout=10).status
    assert status == 413, time.monotonic() - started


def test_the_wsgiref_adapter_answers_a_burst_of_simultaneous_connections(database: Database,
                                                                         redis_server: RedisServer,
                                                                         tmp_path: Path) -> None:
    import threading

    server = AppServer("wsgiref", database.url, redis_server.url, tmp_path / "server.log")
    try:
        barrier, statuses = threading.Barrier(64), []

        def one() -> None:
            barrier.wait(10)
            try:
                statuses.append(request(server.port, "GET", "/static/style.css", timeout=10).status)
            except OSError as error:
                statuses.append(type(error).__name__)

        threads = [threading.Thread(target=one) for _ in range(64)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        server.stop()
    assert statuses == [200] * 64
