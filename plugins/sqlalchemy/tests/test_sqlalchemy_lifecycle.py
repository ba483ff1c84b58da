"""A session per request: committed, rolled back and closed at the right moments.

Every test runs on SQLite and on the real PostgreSQL server (the `engine` fixture).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from demijohn import App, HTTPError, HTTPResponse, abort, redirect
from demijohn.testing import Client
from sqla_support import Note, checked_out, texts
from sqlalchemy.orm import Session

from demijohn_sqlalchemy import SQLAlchemyPlugin


def make_app(engine: sa.Engine, **options) -> tuple[App, SQLAlchemyPlugin]:
    app = App()
    plugin = app.install(SQLAlchemyPlugin(engine, **options))
    return app, plugin


def test_callback_receives_a_session_under_the_keyword(engine):
    app, _ = make_app(engine)
    seen = []

    @app.get("/")
    def index(db):
        seen.append(db)
        return "ok"

    assert Client(app).get("/").status_code == 200
    assert isinstance(seen[0], Session)


def test_commit_on_success(engine):
    app, _ = make_app(engine)

    @app.post("/notes")
    def add(db):
        db.add(Note(text="committed"))
        return {"ok": True}

    assert Client(app).post("/notes").status_code == 200
    assert texts(engine) == ["committed"]


def test_rollback_on_exception(engine):
    app, _ = make_app(engine)

    @app.post("/notes")
    def add(db):
        db.add(Note(text="lost"))
        db.flush()
        raise RuntimeError("boom")

    assert Client(app).post("/notes").status_code == 500
    assert texts(engine) == []


def test_rollback_on_raised_http_error(engine):
    app, _ = make_app(engine)

    @app.post("/notes")
    def add(db):
        db.add(Note(text="lost"))
        db.flush()
        abort(422, "no")

    assert Client(app).post("/notes").status_code == 422
    assert texts(engine) == []


def test_rollback_on_returned_http_error(engine):
    app, _ = make_app(engine)

    @app.post("/notes")
    def add(db):
        db.add(Note(text="lost"))
        return HTTPError(400, "bad")

    assert Client(app).post("/notes").status_code == 400
    assert texts(engine) == []


def test_commit_on_redirect(engine):
    app, _ = make_app(engine)

    @app.post("/notes")
    def add(db):
        db.add(Note(text="redirected"))
        redirect("/notes/1")

    result = Client(app).post("/notes")
    assert result.status_code in (302, 303)
    assert result.headers["Location"].endswith("/notes/1")
    assert texts(engine) == ["redirected"]


def test_commit_on_raised_success_response(engine):
    app, _ = make_app(engine)

    @app.post("/notes")
    def add(db):
        db.add(Note(text="created"))
        raise HTTPResponse("created", status=201)

    assert Client(app).post("/notes").status_code == 201
    assert texts(engine) == ["created"]


def test_rollback_on_raised_response_with_error_status(engine):
    app, _ = make_app(engine)

    @app.post("/notes")
    def add(db):
        db.add(Note(text="lost"))
        raise HTTPResponse("teapot", status=418)

    assert Client(app).post("/notes").status_code == 418
    assert texts(engine) == []


def test_session_is_closed_and_connection_returned_after_each_request(engine):
    app, _ = make_app(engine)
    sessions = []

    @app.get("/")
    def index(db):
        sessions.append(db)
        db.execute(sa.text("SELECT 1"))
        return "ok"

    client = Client(app)
    client.get("/")
    client.get("/")
    assert sessions[0] is not sessions[1]
    assert not sessions[0].in_transaction()
    assert checked_out(engine) == 0


def test_commit_false_discards_changes(engine):
    app, _ = make_app(engine, commit=False)

    @app.post("/notes")
    def add(db):
        db.add(Note(text="discarded"))
        return "ok"

    assert Client(app).post("/notes").status_code == 200
    assert texts(engine) == []


def test_commit_false_still_keeps_explicit_commits(engine):
    app, _ = make_app(engine, commit=False)

    @app.post("/notes")
    def add(db):
        db.add(Note(text="explicit"))
        db.commit()
        return "ok"

    Client(app).post("/notes")
    assert texts(engine) == ["explicit"]


def test_per_route_commit_false_overrides_the_plugin(engine):
    app, _ = make_app(engine)

    @app.post("/dry-run", sqlalchemy={"commit": False})
    def dry_run(db):
        db.add(Note(text="dry"))
        return "ok"

    @app.post("/notes")
    def add(db):
        db.add(Note(text="wet"))
        return "ok"

    client = Client(app)
    client.post("/dry-run")
    client.post("/notes")
    assert texts(engine) == ["wet"]


def test_per_route_keyword_overrides_the_plugin(engine):
    app, _ = make_app(engine)

    @app.post("/notes", sqlalchemy={"keyword": "session"})
    def add(session):
        session.add(Note(text="by-session"))
        return "ok"

    assert Client(app).post("/notes").status_code == 200
    assert texts(engine) == ["by-session"]


def test_per_route_session_options_are_applied(engine):
    app, _ = make_app(engine)
    seen = []

    @app.get("/", sqlalchemy={"autoflush": False, "info": {"route": "index"}})
    def index(db):
        seen.append((db.autoflush, db.info))
        return "ok"

    Client(app).get("/")
    assert seen == [(False, {"route": "index"})]


def test_per_route_false_leaves_the_route_alone(engine):
    app, _ = make_app(engine)

    @app.get("/", sqlalchemy=False)
    def index(db="not injected"):
        return db

    assert Client(app).get("/").text == "not injected"


def test_plugin_wide_session_options_reach_the_session(engine):
    app, _ = make_app(engine, expire_on_commit=False)
    seen = []

    @app.get("/")
    def index(db):
        seen.append(db.expire_on_commit)
        return "ok"

    Client(app).get("/")
    assert seen == [False]


def test_session_factory_is_used_for_each_request(engine):
    from sqlalchemy.orm import sessionmaker

    class TaggedSession(Session):
        pass

    app, _ = make_app(engine, session_factory=sessionmaker(bind=engine, class_=TaggedSession))
    seen = []

    @app.get("/")
    def index(db):
        seen.append(db)
        return "ok"

    Client(app).get("/")
    assert isinstance(seen[0], TaggedSession)


def test_url_arguments_and_session_arrive_together(engine):
    app, _ = make_app(engine)

    @app.post("/notes/<text>")
    def add(text, db):
        db.add(Note(text=text))
        return text

    assert Client(app).post("/notes/hello").text == "hello"
    assert texts(engine) == ["hello"]


def test_plugin_session_commits_on_success(engine):
    plugin = SQLAlchemyPlugin(engine)
    with plugin.session() as db:
        db.add(Note(text="script"))
    assert texts(engine) == ["script"]
    assert checked_out(engine) == 0


def test_plugin_session_rolls_back_and_reraises_on_exception(engine):
    plugin = SQLAlchemyPlugin(engine)
    with pytest.raises(KeyError):
        with plugin.session() as db:
            db.add(Note(text="lost"))
            db.flush()
            raise KeyError("boom")
    assert texts(engine) == []
    assert checked_out(engine) == 0


def test_plugin_session_commit_false_discards(engine):
    plugin = SQLAlchemyPlugin(engine)
    with plugin.session(commit=False) as db:
        db.add(Note(text="lost"))
    assert texts(engine) == []


def test_plugin_session_raises_database_errors_not_http_errors(engine):
    plugin = SQLAlchemyPlugin(engine)
    with plugin.session() as db:
        db.add(Note(text="twice"))
    with pytest.raises(sa.exc.IntegrityError):
        with plugin.session() as db:
            db.add(Note(text="twice"))
    assert texts(engine) == ["twice"]
    assert checked_out(engine) == 0


def test_a_session_the_callback_never_uses_checks_out_no_connection(engine):
    app, _ = make_app(engine)
    checkouts = []
    sa.event.listen(engine, "checkout", lambda *args: checkouts.append(args))

    @app.get("/")
    def index(db):
        return "ok"

    assert Client(app).get("/").status_code == 200
    assert checkouts == []


def test_changes_after_an_explicit_commit_are_committed_too(engine):
    app, _ = make_app(engine)

    @app.post("/notes")
    def add(db):
        db.add(Note(text="first"))
        db.commit()
        db.add(Note(text="second"))
        return "ok"

    Client(app).post("/notes")
    assert texts(engine) == ["first", "second"]
