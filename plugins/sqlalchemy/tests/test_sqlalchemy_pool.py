"""An exhausted connection pool (issue 16, LOW): a short, configurable wait, then a 503
with `Retry-After` and a message, instead of holding every thread for 30 seconds."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from demijohn import App, PluginError
from demijohn.testing import Client
from sqla_support import Base, checked_out

from demijohn_sqlalchemy import DEFAULT_POOL_TIMEOUT, SQLAlchemyPlugin


@pytest.fixture
def pg_url(pg_schema: tuple[sa.URL, str]) -> Iterator[sa.URL]:
    """The test database URL with the schema and a name of its own for the app's connections."""
    url, schema = pg_schema
    yield url.update_query_dict({"options": f"-csearch_path={schema}",
                                 "application_name": f"dj-pool-{uuid.uuid4().hex[:8]}"})


class Holders:
    """Requests that each take a connection and keep it until released."""

    def __init__(self, app: App, count: int) -> None:
        self.release = threading.Event()
        self.answers: list[int] = []
        self.threads = [threading.Thread(target=self._hold, args=(app,)) for _ in range(count)]

    def _hold(self, app: App) -> None:
        self.answers.append(Client(app).get("/hold").status_code)

    def __enter__(self) -> Holders:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.release.set()
        for thread in self.threads:
            thread.join(30)


def pool_app(plugin: SQLAlchemyPlugin) -> App:
    app = App()
    app.install(plugin)
    state: dict[str, Holders] = {}

    @app.get("/hold")
    def hold(db: Any) -> str:
        db.execute(sa.text("SELECT 1"))
        state["holders"].release.wait(30)
        return "held"

    @app.get("/query")
    def query(db: Any) -> str:
        return str(db.execute(sa.text("SELECT 42")).scalar())

    app.config["state"] = state
    return app


def exhaust(app: App, engine: sa.Engine, connections: int) -> Holders:
    holders = Holders(app, connections)
    app.config["state"]["holders"] = holders
    holders.__enter__()
    deadline = time.monotonic() + 20
    while checked_out(engine) < connections and time.monotonic() < deadline:
        time.sleep(0.02)
    assert checked_out(engine) == connections, "the holders did not take every connection"
    return holders


def pool_capacity(engine: sa.Engine) -> int:
    """How many connections the engine's QueuePool lends at most (SQLAlchemy keeps the
    overflow limit private)."""
    return int(engine.pool.size() + engine.pool._max_overflow)  # type: ignore[attr-defined]


def timed_query(app: App, **headers: str) -> tuple[Any, float]:
    started = time.monotonic()
    answer = Client(app).get("/query", headers=headers)
    return answer, time.monotonic() - started


def test_the_default_wait_for_a_connection_is_short(pg_url):
    plugin = SQLAlchemyPlugin(pg_url)
    app = pool_app(plugin)
    engine = plugin.engine
    assert engine is not None
    connections = pool_capacity(engine)
    holders = exhaust(app, engine, connections)
    try:
        answer, waited = timed_query(app)
    finally:
        holders.__exit__()
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    assert "Every database connection is busy" in answer.text
    assert DEFAULT_POOL_TIMEOUT * 0.9 <= waited < DEFAULT_POOL_TIMEOUT + 5  # not SQLAlchemy's 30 s
    assert holders.answers == [200] * connections
    assert Client(app).get("/query").text == "42"
    assert checked_out(engine) == 0
    plugin.close()


def test_the_wait_is_configurable(pg_url):
    plugin = SQLAlchemyPlugin(pg_url, pool_timeout=0.5)
    app = pool_app(plugin)
    engine = plugin.engine
    assert engine is not None
    holders = exhaust(app, engine, pool_capacity(engine))
    try:
        answer, waited = timed_query(app)
    finally:
        holders.__exit__()
    assert answer.status_code == 503 and 0.45 <= waited < 3
    plugin.close()


@pytest.fixture
def tiny_engine(pg_schema: tuple[sa.URL, str]) -> Iterator[sa.Engine]:
    """An engine of the caller's with one connection and a 0.3 s wait."""
    url, schema = pg_schema
    engine = sa.create_engine(url, pool_size=1, max_overflow=0, pool_timeout=0.3,
                              connect_args={"options": f"-csearch_path={schema}"})
    Base.metadata.create_all(engine)
    yield engine
    Base.metadata.drop_all(engine)
    engine.dispose()


def test_a_tiny_pool_answers_503_with_retry_after_and_recovers(tiny_engine):
    app = pool_app(SQLAlchemyPlugin(tiny_engine))
    holders = exhaust(app, tiny_engine, 1)
    try:
        page, _ = timed_query(app)
        problem, _ = timed_query(app, Accept="application/json")
    finally:
        holders.__exit__()
    assert page.status_code == 503 and page.headers["Retry-After"] == "1"
    assert "Retry the request in a moment" in page.text
    assert problem.headers["Content-Type"] == "application/problem+json"
    assert problem.json["status"] == 503 and problem.json["retry"] is True
    assert Client(app).get("/query").text == "42"
    assert checked_out(tiny_engine) == 0


def test_pool_timeout_is_refused_for_an_engine_the_plugin_does_not_create(tiny_engine):
    with pytest.raises(PluginError, match="create_engine"):
        SQLAlchemyPlugin(tiny_engine, pool_timeout=2)


@pytest.mark.parametrize("value", [0, -1, "3", True, float("nan"), float("inf")])
def test_pool_timeout_must_be_a_positive_number_of_seconds(value):
    with pytest.raises(PluginError, match="pool_timeout"):
        SQLAlchemyPlugin("sqlite://", pool_timeout=value)


def test_engines_without_a_waiting_pool_take_the_default_quietly():
    plugin = SQLAlchemyPlugin("sqlite://")  # SingletonThreadPool: it never waits
    app = pool_app(plugin)
    assert Client(app).get("/query").text == "42"
    plugin.close()
