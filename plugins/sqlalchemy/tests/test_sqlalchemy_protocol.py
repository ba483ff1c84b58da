"""The plugin obeys the api-2 protocol: identity, skip, apply, apply-once, setup, close."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from demijohn import App, PluginError
from demijohn.testing import Client
from sqla_support import Base, Note, texts

import demijohn_sqlalchemy
from demijohn_sqlalchemy import SQLAlchemyPlugin


@pytest.fixture
def sqlite(tmp_path):
    made = sa.create_engine(f"sqlite:///{tmp_path / 'protocol.db'}")
    Base.metadata.create_all(made)
    yield made
    made.dispose()


def route_of(app: App, rule: str):
    return next(route for route in app.routes if route.rule == rule)


def test_plugin_declares_api_2_and_its_name(sqlite):
    plugin = SQLAlchemyPlugin(sqlite)
    assert plugin.api == 2
    assert plugin.name == "sqlalchemy"
    assert demijohn_sqlalchemy.__version__ == "0.1.0"


def test_route_without_the_keyword_is_left_unwrapped(sqlite):
    app = App(autojson=False)  # no JSON plugin: nothing else wraps the route
    app.install(SQLAlchemyPlugin(sqlite))

    @app.get("/")
    def index():
        return "plain"

    assert Client(app).get("/").text == "plain"
    route = route_of(app, "/")
    assert route.call is route.callback


def test_route_with_the_keyword_is_wrapped_with_functools_wraps(sqlite):
    app = App()
    app.install(SQLAlchemyPlugin(sqlite))

    @app.get("/")
    def index(db):
        return "wrapped"

    assert Client(app).get("/").text == "wrapped"
    route = route_of(app, "/")
    assert route.call is not route.callback
    assert route.call.__wrapped__ is index


def test_other_keyword_leaves_a_db_route_unwrapped(sqlite):
    app = App()
    app.install(SQLAlchemyPlugin(sqlite, keyword="session"))

    @app.get("/")
    def index(db="untouched"):
        return db

    assert Client(app).get("/").text == "untouched"


@pytest.mark.parametrize("how", ["instance", "class", "name", "true"])
def test_skip_leaves_the_route_without_a_session(sqlite, how):
    app = App(autojson=False)  # no JSON plugin: nothing else wraps the route
    plugin = app.install(SQLAlchemyPlugin(sqlite))
    skip = {"instance": plugin, "class": SQLAlchemyPlugin, "name": "sqlalchemy", "true": True}[how]

    @app.get("/", skip=[skip])
    def index(db="skipped"):
        return db

    assert Client(app).get("/").text == "skipped"
    route = route_of(app, "/")
    assert route.call is route.callback


def test_route_level_apply_injects_without_setup(sqlite):
    app = App()
    plugin = SQLAlchemyPlugin(sqlite, create=True, metadata=sa.MetaData())
    plugin.setup = lambda app: pytest.fail("setup must not run for route-level plugins")

    @app.post("/notes", apply=[plugin])
    def add(db):
        db.add(Note(text="applied"))
        return "ok"

    assert Client(app).post("/notes").status_code == 200
    assert texts(sqlite) == ["applied"]


def test_apply_runs_once_per_route_not_per_request(sqlite):
    app = App()
    plugin = SQLAlchemyPlugin(sqlite)
    calls = []
    original = plugin.apply

    def counting_apply(callback, route):
        calls.append(route.rule)
        return original(callback, route)

    plugin.apply = counting_apply
    app.install(plugin)

    @app.get("/")
    def index(db):
        return "ok"

    client = Client(app)
    for _ in range(5):
        client.get("/")
    assert calls == ["/"]
    app.reset()
    client.get("/")
    assert calls == ["/", "/"]


def test_setup_creates_tables_when_create_is_true(tmp_path):
    metadata = sa.MetaData()
    sa.Table("things", metadata, sa.Column("id", sa.Integer, primary_key=True))
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'create.db'}")
    App().install(SQLAlchemyPlugin(engine, create=True, metadata=metadata))
    assert "things" in sa.inspect(engine).get_table_names()
    engine.dispose()


def test_tables_are_not_created_without_create(tmp_path):
    metadata = sa.MetaData()
    sa.Table("things", metadata, sa.Column("id", sa.Integer, primary_key=True))
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'nocreate.db'}")
    App().install(SQLAlchemyPlugin(engine, metadata=metadata))
    assert sa.inspect(engine).get_table_names() == []
    engine.dispose()


def test_second_plugin_with_the_same_keyword_is_refused(sqlite):
    app = App()
    app.install(SQLAlchemyPlugin(sqlite))
    with pytest.raises(PluginError, match="keyword 'db'"):
        app.install(SQLAlchemyPlugin(sqlite, name="sqlalchemy_2"))


def test_any_plugin_claiming_the_keyword_conflicts(sqlite):
    class OtherDatabasePlugin:
        name = "sqlite"
        api = 2
        keyword = "db"

        def apply(self, callback, route):
            return callback

    app = App()
    app.install(OtherDatabasePlugin())
    with pytest.raises(PluginError, match="already claims the route keyword"):
        app.install(SQLAlchemyPlugin(sqlite))


def test_second_plugin_with_the_same_name_is_refused_with_a_hint(sqlite):
    app = App()
    app.install(SQLAlchemyPlugin(sqlite))
    with pytest.raises(PluginError, match="name='sqlalchemy_2'"):
        app.install(SQLAlchemyPlugin(sqlite, keyword="other"))


def test_two_databases_with_distinct_keywords_and_names(sqlite, tmp_path):
    second = sa.create_engine(f"sqlite:///{tmp_path / 'second.db'}")
    Base.metadata.create_all(second)
    app = App()
    app.install(SQLAlchemyPlugin(sqlite))
    app.install(SQLAlchemyPlugin(second, keyword="archive", name="sqlalchemy_archive"))

    @app.post("/notes")
    def add(db, archive):
        db.add(Note(text="main"))
        archive.add(Note(text="archived"))
        return "ok"

    assert Client(app).post("/notes").status_code == 200
    assert texts(sqlite) == ["main"]
    assert texts(second) == ["archived"]
    second.dispose()


def test_close_disposes_an_engine_the_plugin_created(tmp_path):
    plugin = SQLAlchemyPlugin(f"sqlite:///{tmp_path / 'owned.db'}")
    disposed = []
    sa.event.listen(plugin.engine, "engine_disposed", lambda engine: disposed.append(engine))
    app = App()
    app.install(plugin)
    app.uninstall(plugin)
    assert disposed == [plugin.engine]


def test_app_close_disposes_an_engine_the_plugin_created_once(tmp_path):
    plugin = SQLAlchemyPlugin(f"sqlite:///{tmp_path / 'owned.db'}")
    disposed = []
    sa.event.listen(plugin.engine, "engine_disposed", lambda engine: disposed.append(engine))
    app = App()
    app.install(plugin)
    app.close()
    assert disposed == [plugin.engine]


def test_close_leaves_a_passed_engine_alone(sqlite):
    disposed = []
    sa.event.listen(sqlite, "engine_disposed", lambda engine: disposed.append(engine))
    app = App()
    app.install(SQLAlchemyPlugin(sqlite))
    app.close()
    assert disposed == []


def test_engine_created_from_a_url_pings_connections_before_use(tmp_path):
    plugin = SQLAlchemyPlugin(f"sqlite:///{tmp_path / 'ping.db'}")
    assert plugin.engine.pool._pre_ping is True
    plugin.close()


def test_works_on_a_mounted_sub_app(sqlite):
    parent, child = App(), App()
    child.install(SQLAlchemyPlugin(sqlite))

    @child.post("/notes")
    def add(db):
        db.add(Note(text="mounted"))
        return "ok"

    parent.mount("/api/", child)
    assert Client(parent).post("/api/notes").status_code == 200
    assert texts(sqlite) == ["mounted"]
