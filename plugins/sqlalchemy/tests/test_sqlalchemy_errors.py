"""Database errors answer with a clear HTTP status; rolled back, and the pool stays healthy."""

from __future__ import annotations

import socket
import sqlite3

import pytest
import sqlalchemy as sa
from demijohn import App, redirect
from demijohn.testing import Client
from sqla_support import Note, checked_out, pg_engine, texts

from demijohn_sqlalchemy import SQLAlchemyPlugin, http_error_for


def notes_app(engine: sa.Engine | str | sa.URL) -> tuple[App, SQLAlchemyPlugin]:
    """An app with POST /notes/<text> (adds a note) and GET /notes (counts them)."""
    app = App()
    plugin = app.install(SQLAlchemyPlugin(engine))

    @app.post("/notes/<text>")
    def add(text, db):
        db.add(Note(text=text))
        return "ok"

    @app.get("/notes")
    def count(db):
        return str(db.scalar(sa.select(sa.func.count()).select_from(Note)))

    return app, plugin


def test_integrity_conflict_on_commit_answers_409_and_rolls_back(engine):
    app, _ = notes_app(engine)
    client = Client(app)
    assert client.post("/notes/same").status_code == 200
    result = client.post("/notes/same")
    assert result.status_code == 409
    assert "conflicts with data already stored" in result.text
    assert "nothing was saved" in result.text
    assert texts(engine) == ["same"]
    assert checked_out(engine) == 0


def test_integrity_conflict_raised_inside_the_callback_answers_409(engine):
    app, _ = notes_app(engine)

    @app.post("/pair")
    def pair(db):
        db.add(Note(text="first"))
        db.add(Note(text="first"))
        db.flush()
        return "unreachable"

    result = Client(app).post("/pair")
    assert result.status_code == 409
    assert texts(engine) == []
    assert checked_out(engine) == 0


def test_application_sql_error_stays_a_500_and_the_session_is_closed(engine):
    app, _ = notes_app(engine)

    @app.get("/broken")
    def broken(db):
        db.execute(sa.text("SELEC nonsense"))

    assert Client(app).get("/broken").status_code == 500
    assert checked_out(engine) == 0


def test_missing_required_value_answers_400(engine):
    app, _ = notes_app(engine)

    @app.post("/blank")
    def blank(db):
        db.add(Note(text=None))
        return "ok"

    result = Client(app).post("/blank")
    assert result.status_code == 400
    assert "a required value is missing" in result.text
    assert texts(engine) == []
    assert checked_out(engine) == 0


def test_value_of_the_wrong_type_answers_400(pg):
    app, _ = notes_app(pg)

    @app.get("/notes/by-id/<note_id>")
    def by_id(note_id, db):  # forgot to validate: note_id is any string
        return str(db.scalar(sa.text("SELECT count(*) FROM notes WHERE id = :id"), {"id": note_id}))

    assert Client(app).get("/notes/by-id/7").text == "0"
    result = Client(app).get("/notes/by-id/seven")
    assert result.status_code == 400
    assert "refused a value" in result.text
    assert checked_out(pg) == 0


def test_value_too_long_answers_400(pg):
    app, _ = notes_app(pg)
    result = Client(app).post("/notes/" + "x" * 100)
    assert result.status_code == 400
    assert "refused a value" in result.text
    assert texts(pg) == []


def test_serialization_failure_answers_409_asking_to_retry(pg):
    serializable = pg.execution_options(isolation_level="SERIALIZABLE")
    app, _ = notes_app(pg)
    count = sa.select(sa.func.count()).select_from(Note)

    @app.post("/skew", sqlalchemy={"bind": serializable})
    def skew(db):
        # Write skew: both transactions read the table, then both insert into it.
        seen = db.scalar(count)
        with serializable.connect() as other:
            other.scalar(count)
            other.execute(sa.insert(Note).values(text="other"))
            db.add(Note(text=f"mine-{seen}"))
            db.flush()
            other.commit()
        return "ok"

    result = Client(app).post("/skew")
    assert result.status_code == 409
    assert "Retry the request" in result.text
    assert texts(pg) == ["other"]
    assert checked_out(pg) == 0


def test_connection_killed_server_side_answers_503_then_next_request_succeeds(pg, pg_schema):
    app, _ = notes_app(pg)
    admin = pg_engine(pg_schema)

    @app.post("/doomed")
    def doomed(db):
        pid = db.scalar(sa.text("SELECT pg_backend_pid()"))
        db.add(Note(text="doomed"))
        with admin.connect() as conn:
            # The second argument waits (up to 5 s) until the backend is gone.
            assert conn.scalar(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        return "committed?"

    client = Client(app)
    result = client.post("/doomed")
    assert result.status_code == 503
    assert result.headers["Retry-After"] == "1"
    assert "connection to the database was lost" in result.text
    assert checked_out(pg) == 0
    assert client.post("/notes/after").status_code == 200
    assert client.get("/notes").text == "1"
    assert texts(pg) == ["after"]
    admin.dispose()


def test_connection_killed_before_a_query_in_the_callback_answers_503(pg, pg_schema):
    app, _ = notes_app(pg)
    admin = pg_engine(pg_schema)

    @app.get("/doomed")
    def doomed(db):
        pid = db.scalar(sa.text("SELECT pg_backend_pid()"))
        with admin.connect() as conn:
            conn.scalar(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        return str(db.scalar(sa.text("SELECT 1")))

    client = Client(app)
    result = client.get("/doomed")
    assert result.status_code == 503
    assert "connection to the database was lost" in result.text
    assert checked_out(pg) == 0
    assert client.get("/notes").text == "0"
    admin.dispose()


def test_idle_pooled_connection_killed_server_side_is_replaced_by_pre_ping(pg, pg_schema):
    url, schema = pg_schema
    app, plugin = notes_app(url.update_query_dict({"options": f"-csearch_path={schema}"}))
    client = Client(app)
    assert client.get("/notes").text == "0"
    with plugin.engine.connect() as conn:
        idle_pid = conn.scalar(sa.text("SELECT pg_backend_pid()"))
    with pg.connect() as conn:
        assert conn.scalar(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": idle_pid})
    assert client.post("/notes/fresh").status_code == 200
    assert texts(pg) == ["fresh"]
    plugin.close()


def test_unreachable_database_answers_503():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app, plugin = notes_app(f"postgresql+psycopg://postgres@127.0.0.1:{port}/test")
    result = Client(app).get("/notes")
    assert result.status_code == 503
    assert "Retry the request" in result.text
    plugin.close()


def test_exhausted_pool_answers_503_instead_of_hanging(tmp_path):
    engine = sa.create_engine(
        f"sqlite:///{tmp_path / 'pool.db'}", pool_size=1, max_overflow=0, pool_timeout=0.1
    )
    Note.metadata.create_all(engine)
    app, _ = notes_app(engine)
    with engine.connect():
        result = Client(app).get("/notes")
    assert result.status_code == 503
    assert "Every database connection is busy" in result.text
    assert Client(app).get("/notes").text == "0"
    engine.dispose()


def test_locked_sqlite_database_answers_503(tmp_path):
    path = tmp_path / "locked.db"
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    Note.metadata.create_all(engine)
    app, _ = notes_app(engine)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = Client(app).post("/notes/blocked")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.status_code == 503
    assert "unavailable or too busy" in result.text
    assert Client(app).post("/notes/unblocked").status_code == 200
    assert texts(engine) == ["unblocked"]
    engine.dispose()


def test_client_accepting_json_gets_a_problem_document(engine):
    app, _ = notes_app(engine)
    client = Client(app)
    client.post("/notes/same")
    result = client.post("/notes/same", headers={"Accept": "application/json"})
    assert result.status_code == 409
    assert result.headers["Content-Type"].startswith("application/problem+json")
    assert result.json == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": result.json["detail"],
        "retry": False,
    }
    assert "conflicts with data already stored" in result.json["detail"]


def test_client_sending_json_gets_a_problem_document_with_retry_for_503(tmp_path):
    engine = sa.create_engine(
        f"sqlite:///{tmp_path / 'pool.db'}", pool_size=1, max_overflow=0, pool_timeout=0.1
    )
    app, _ = notes_app(engine)

    @app.post("/count")
    def count(db):
        return {"count": db.scalar(sa.text("SELECT 1"))}

    with engine.connect():
        result = Client(app).post("/count", json={"any": "thing"})
    assert result.status_code == 503
    assert result.headers["Retry-After"] == "1"
    assert result.json["retry"] is True
    assert result.json["title"] == "Service Unavailable"
    engine.dispose()


def test_error_handler_of_the_app_renders_database_errors(engine):
    app, _ = notes_app(engine)

    @app.error(409)
    def conflict(error):
        return f"custom: {type(error.exception).__name__}"

    client = Client(app)
    client.post("/notes/same")
    result = client.post("/notes/same", headers={"Accept": "application/json"})
    assert result.status_code == 409
    assert result.text == "custom: IntegrityError"


def test_http_error_for_leaves_non_database_errors_alone():
    assert http_error_for(ValueError("not a database error")) is None


def test_http_error_for_works_outside_a_request(engine):
    with engine.begin() as conn:
        conn.execute(sa.insert(Note).values(text="dup"))
    with pytest.raises(sa.exc.IntegrityError) as raised:
        with engine.begin() as conn:
            conn.execute(sa.insert(Note).values(text="dup"))
    answer = http_error_for(raised.value)
    assert answer is not None and answer.status_code == 409
    assert "constraint failed" in answer.body


def test_redirect_whose_commit_fails_answers_409_not_the_redirect(engine):
    app, _ = notes_app(engine)

    @app.post("/then-redirect/<text>")
    def then_redirect(text, db):
        db.add(Note(text=text))
        redirect("/notes")

    client = Client(app)
    assert client.post("/then-redirect/taken").status_code in (302, 303)
    result = client.post("/then-redirect/taken")
    assert result.status_code == 409
    assert "Location" not in result.headers
    assert texts(engine) == ["taken"]
    assert checked_out(engine) == 0
