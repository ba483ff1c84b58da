"""Streamed bodies (issue 16, MEDIUM #3): a callback that returns a generator using `db`
keeps its session until the body is closed: committed after the last chunk, rolled back
on an error mid-stream or when the body is closed early, and closed in every case.

Run on the real PostgreSQL: the rows are there, no connection of the app is left
`idle in transaction` (pg_stat_activity, by the engine's application_name) and the pool
has nothing checked out.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import sqlalchemy as sa
from demijohn import App, HTTPResponse
from demijohn.testing import Client
from sqla_support import Base, Note, checked_out, texts
from sqlalchemy.pool import NullPool

from demijohn_sqlalchemy import SQLAlchemyPlugin


@pytest.fixture
def pg_app(pg_schema: tuple[sa.URL, str]) -> Iterator[tuple[sa.Engine, str]]:
    """(an engine on the test schema whose connections carry a name of their own, that name)."""
    url, schema = pg_schema
    name = f"dj-stream-{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(url, pool_size=2, max_overflow=0, pool_timeout=5, connect_args={
        "options": f"-csearch_path={schema}", "connect_timeout": 3, "application_name": name})
    Base.metadata.create_all(engine)
    yield engine, name
    engine.dispose()
    # A connection leaked inside a transaction would hold its locks and make DROP TABLE
    # wait forever: end the app's connections first, so a failing test fails, not hangs.
    cleaner = sa.create_engine(
        url, poolclass=NullPool, connect_args={"options": f"-csearch_path={schema}"}
    )
    terminate = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :n"
    with cleaner.begin() as conn:
        conn.execute(sa.text(terminate), {"n": name})
    Base.metadata.drop_all(cleaner)
    cleaner.dispose()


def backend_states(url: sa.URL, name: str) -> list[str]:
    """The state of every server connection the app's engine holds (pg_stat_activity)."""
    monitor = sa.create_engine(url, poolclass=NullPool)
    try:
        with monitor.connect() as conn:
            query = sa.text("SELECT state FROM pg_stat_activity WHERE application_name = :name")
            return [str(state) for state in conn.scalars(query, {"name": name})]
    finally:
        monitor.dispose()


def assert_clean(engine: sa.Engine, name: str) -> None:
    """Nothing checked out of the pool, no connection left inside a transaction."""
    assert checked_out(engine) == 0
    states = backend_states(engine.url, name)
    assert not [state for state in states if state.startswith("idle in transaction")], states


def streaming_app(engine: sa.Engine, **options: Any) -> App:
    app = App()
    app.install(SQLAlchemyPlugin(engine, **options))

    @app.get("/stream/<count:int>")
    def stream(db: Any, count: int) -> Iterator[str]:
        for number in range(count):
            db.add(Note(text=f"row {number}"))
            db.flush()
            yield f"row {number}\n"

    @app.get("/broken")
    def broken(db: Any) -> Iterator[str]:
        db.add(Note(text="written before the failure"))
        db.flush()
        yield "first chunk\n"
        raise RuntimeError("the generator failed half way")

    @app.get("/broken-at-once")
    def broken_at_once(db: Any) -> Iterator[str]:
        db.add(Note(text="never kept"))
        db.flush()
        raise RuntimeError("the generator failed before its first chunk")
        yield "unreachable"

    @app.get("/wrapped")
    def wrapped(db: Any) -> HTTPResponse:
        def chunks() -> Iterator[str]:
            db.add(Note(text="inside an HTTPResponse"))
            yield "wrapped\n"
        return HTTPResponse(chunks(), headers={"X-Kind": "wrapped"})

    @app.get("/before-and-during/<fail>")
    def before_and_during(db: Any, fail: str) -> HTTPResponse:
        db.add(Note(text="before returning"))

        def chunks() -> Iterator[str]:
            db.add(Note(text="while streaming"))
            db.flush()
            yield "streaming\n"
            if fail == "yes":
                raise RuntimeError("the body failed after the callback returned")
        return HTTPResponse(chunks())

    @app.get("/conflict-before-returning")
    def conflict_before_returning(db: Any) -> Iterator[str]:
        db.add_all([Note(text="same"), Note(text="same")])  # refused by the commit at return

        def chunks() -> Iterator[str]:
            yield "never sent"
        return chunks()

    @app.get("/duplicate")
    def duplicate(db: Any) -> Iterator[str]:
        db.add(Note(text="twice"))
        db.flush()
        db.add(Note(text="twice"))
        db.flush()  # unique violation, before the first chunk
        yield "unreachable"

    return app


def call_without_reading(app: App, path: str, chunks: int) -> None:
    """Call the app like a server whose client went away: read `chunks` chunks, then close."""
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "localhost",
        "SERVER_PORT": "80", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
    }
    body = app(environ, lambda status, headers, exc_info=None: None)
    iterator = iter(body)
    for _ in range(chunks):
        next(iterator)
    body.close()


def test_rows_written_while_streaming_are_committed(pg_app):
    engine, name = pg_app
    answer = Client(streaming_app(engine)).get("/stream/3")
    assert answer.status_code == 200 and answer.text == "row 0\nrow 1\nrow 2\n"
    assert texts(engine) == ["row 0", "row 1", "row 2"]
    assert_clean(engine, name)


def test_a_generator_inside_an_http_response_is_committed_too(pg_app):
    engine, name = pg_app
    answer = Client(streaming_app(engine)).get("/wrapped")
    assert answer.text == "wrapped\n" and answer.headers["X-Kind"] == "wrapped"
    assert texts(engine) == ["inside an HTTPResponse"]
    assert_clean(engine, name)


def test_commit_false_rolls_the_stream_back(pg_app):
    engine, name = pg_app
    assert Client(streaming_app(engine, commit=False)).get("/stream/2").status_code == 200
    assert texts(engine) == []
    assert_clean(engine, name)


def test_an_error_mid_stream_rolls_back(pg_app):
    engine, name = pg_app
    with pytest.raises(RuntimeError, match="half way"):
        Client(streaming_app(engine)).get("/broken")
    assert texts(engine) == []
    assert_clean(engine, name)


def test_an_error_before_the_first_chunk_is_a_500_and_rolls_back(pg_app):
    engine, name = pg_app
    assert Client(streaming_app(engine)).get("/broken-at-once").status_code == 500
    assert texts(engine) == []
    assert_clean(engine, name)


def test_a_database_conflict_before_the_first_chunk_is_a_409(pg_app):
    engine, name = pg_app
    answer = Client(streaming_app(engine)).get("/duplicate")
    assert answer.status_code == 409
    assert texts(engine) == []
    assert_clean(engine, name)


def test_writes_before_returning_and_while_streaming_are_both_committed(pg_app):
    engine, name = pg_app
    assert Client(streaming_app(engine)).get("/before-and-during/no").text == "streaming\n"
    assert texts(engine) == ["before returning", "while streaming"]
    assert_clean(engine, name)


def test_an_error_mid_stream_rolls_back_only_the_bodys_writes(pg_app):
    engine, name = pg_app
    with pytest.raises(RuntimeError, match="after the callback returned"):
        Client(streaming_app(engine)).get("/before-and-during/yes")
    assert texts(engine) == ["before returning"]  # committed when the callback returned, as always
    assert_clean(engine, name)


def test_a_conflict_in_the_callbacks_own_writes_is_a_409_before_any_chunk(pg_app):
    engine, name = pg_app
    answer = Client(streaming_app(engine)).get("/conflict-before-returning")
    assert answer.status_code == 409 and "never sent" not in answer.text
    assert texts(engine) == []
    assert_clean(engine, name)


def test_a_body_that_makes_no_query_holds_no_connection_while_it_is_sent(pg_app):
    engine, name = pg_app
    app = App()
    app.install(SQLAlchemyPlugin(engine))
    held: list[int] = []

    @app.get("/report")
    def report(db: Any) -> HTTPResponse:
        count = db.scalar(sa.select(sa.func.count()).select_from(Note))

        def chunks() -> Iterator[str]:
            for part in range(3):
                held.append(checked_out(engine))
                yield f"{count} notes, part {part}\n"
        return HTTPResponse(chunks())

    assert Client(app).get("/report").text.count("0 notes") == 3
    assert held == [0, 0, 0]
    assert_clean(engine, name)


@pytest.mark.parametrize("chunks", [0, 1])
def test_a_body_closed_before_its_end_rolls_back_and_frees_the_connection(pg_app, chunks):
    engine, name = pg_app
    call_without_reading(streaming_app(engine), "/stream/3", chunks)
    assert texts(engine) == []
    assert_clean(engine, name)


def test_a_head_request_never_iterates_and_still_frees_the_connection(pg_app):
    engine, name = pg_app
    answer = Client(streaming_app(engine)).head("/stream/2")
    assert answer.status_code == 200 and answer.body == b""
    assert texts(engine) == []
    assert_clean(engine, name)


def test_a_commit_failing_after_the_last_chunk_cuts_the_answer_and_is_logged(pg_app, caplog):
    engine, name = pg_app
    app = App()
    app.install(SQLAlchemyPlugin(engine))

    @app.get("/late")
    def late(db: Any) -> Iterator[str]:
        yield "looks fine so far\n"
        db.add_all([Note(text="same"), Note(text="same")])  # flushed, and refused, by the commit

    with caplog.at_level(logging.ERROR, logger="demijohn_sqlalchemy"):
        with pytest.raises(sa.exc.IntegrityError):
            Client(app).get("/late")
    assert texts(engine) == []
    assert "after the response started" in caplog.text
    assert_clean(engine, name)


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


def test_over_a_socket_the_stream_is_committed_and_the_pool_emptied(pg_app):
    engine, name = pg_app
    server = make_server("127.0.0.1", 0, streaming_app(engine), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/stream/5"
        with urllib.request.urlopen(url, timeout=5) as answer:
            assert answer.read().decode().splitlines() == [f"row {n}" for n in range(5)]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert texts(engine) == [f"row {n}" for n in range(5)]
    assert_clean(engine, name)
