"""Misconfiguration is refused early, with a message that says how to fix it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from demijohn import App, PluginError
from demijohn.testing import Client
from sqlalchemy.orm import sessionmaker

from demijohn_sqlalchemy import SQLAlchemyPlugin


@pytest.fixture
def sqlite(tmp_path):
    made = sa.create_engine(f"sqlite:///{tmp_path / 'config.db'}")
    yield made
    made.dispose()


def test_create_without_metadata_is_refused(sqlite):
    with pytest.raises(PluginError, match="metadata=Base.metadata"):
        SQLAlchemyPlugin(sqlite, create=True)


def test_no_engine_and_no_factory_is_refused():
    with pytest.raises(PluginError, match="pass an Engine or a URL"):
        SQLAlchemyPlugin(None)


def test_session_factory_alone_is_enough(sqlite):
    plugin = SQLAlchemyPlugin(None, session_factory=sessionmaker(bind=sqlite))
    with plugin.session() as db:
        assert db.execute(sa.text("SELECT 1")).scalar() == 1


def test_non_callable_session_factory_is_refused(sqlite):
    with pytest.raises(PluginError, match="session_factory must be callable"):
        SQLAlchemyPlugin(sqlite, session_factory="Session")


def test_unknown_session_option_is_refused_naming_the_accepted_ones(sqlite):
    with pytest.raises(PluginError, match=r"unknown option\(s\) \['autocomit'\].*autoflush"):
        SQLAlchemyPlugin(sqlite, autocomit=True)


@pytest.mark.parametrize("keyword", ["", "no-dash", "1db", None])
def test_keyword_that_cannot_be_an_argument_name_is_refused(sqlite, keyword):
    with pytest.raises(PluginError, match="must be the name of a callback argument"):
        SQLAlchemyPlugin(sqlite, keyword=keyword)


def test_unparseable_url_is_refused_with_an_example():
    with pytest.raises(PluginError, match="sqlite:///app.db"):
        SQLAlchemyPlugin("not a url")


def test_url_with_unknown_driver_is_refused_without_leaking_the_password():
    with pytest.raises(PluginError) as raised:
        SQLAlchemyPlugin("nosuchdb://user:s3cret@host/db")
    assert "s3cret" not in str(raised.value)
    assert "nosuchdb" in str(raised.value)


def test_repr_hides_the_password():
    plugin = SQLAlchemyPlugin("sqlite:///:memory:")
    plugin.engine.url = sa.make_url("postgresql+psycopg://user:s3cret@host/db")
    assert "s3cret" not in repr(plugin)
    plugin.close()


def make_route(engine, **config):
    app = App()
    app.install(SQLAlchemyPlugin(engine))

    @app.get("/", **config)
    def index(db):
        return "ok"

    return app


def test_per_route_config_that_is_not_a_dict_is_refused(sqlite):
    app = make_route(sqlite, sqlalchemy="yes")
    with pytest.raises(PluginError, match="sqlalchemy=.yes. is not valid; pass True, False or a"):
        app.routes[0].call  # noqa: B018 - building the callback applies the plugin


def test_per_route_unknown_option_is_refused(sqlite):
    app = make_route(sqlite, sqlalchemy={"comit": False})
    with pytest.raises(PluginError, match=r"route GET '/'.*\['comit'\]"):
        app.routes[0].call  # noqa: B018


@pytest.mark.parametrize("option", ["create", "metadata", "engine"])
def test_app_wide_options_are_refused_per_route(sqlite, option):
    app = make_route(sqlite, sqlalchemy={option: None})
    with pytest.raises(PluginError, match="only be set on the SQLAlchemyPlugin itself"):
        app.routes[0].call  # noqa: B018


def test_per_route_bad_keyword_is_refused(sqlite):
    app = make_route(sqlite, sqlalchemy={"keyword": "not valid"})
    with pytest.raises(PluginError, match=r"sqlalchemy\['keyword'\]"):
        app.routes[0].call  # noqa: B018


def test_url_argument_with_the_keyword_name_is_refused(sqlite):
    app = App()
    app.install(SQLAlchemyPlugin(sqlite))

    @app.get("/things/<db>")
    def thing(db):
        return db

    with pytest.raises(PluginError, match="URL argument <db>"):
        app.routes[0].call  # noqa: B018


def test_installing_the_same_plugin_twice_is_refused(sqlite):
    app = App()
    plugin = app.install(SQLAlchemyPlugin(sqlite))
    with pytest.raises(PluginError, match="already installed"):
        app.install(plugin)


def test_create_on_an_unreachable_database_says_so(tmp_path):
    metadata = sa.MetaData()
    sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True))
    missing = tmp_path / "no" / "such" / "dir" / "x.db"
    plugin = SQLAlchemyPlugin(f"sqlite:///{missing}", create=True, metadata=metadata)
    with pytest.raises(PluginError, match="could not create the tables"):
        App().install(plugin)
    plugin.close()


def test_misconfigured_route_answers_500_not_a_hang(sqlite):
    app = make_route(sqlite, sqlalchemy={"comit": False})
    assert Client(app).get("/").status_code == 500


def test_commit_that_is_not_a_bool_is_refused(sqlite):
    with pytest.raises(PluginError, match="commit must be True or False; got 'no'"):
        SQLAlchemyPlugin(sqlite, commit="no")


def test_per_route_commit_that_is_not_a_bool_is_refused(sqlite):
    app = make_route(sqlite, sqlalchemy={"commit": "false"})
    with pytest.raises(PluginError, match=r"sqlalchemy\['commit'\] must be True or False"):
        app.routes[0].call  # noqa: B018


@pytest.mark.parametrize("value", [True, None])
def test_per_route_true_or_nothing_uses_the_plugin_defaults(sqlite, value):
    app = make_route(sqlite, **({} if value is None else {"sqlalchemy": value}))
    assert app.routes[0].call is not app.routes[0].callback  # wrapped: it takes the keyword
