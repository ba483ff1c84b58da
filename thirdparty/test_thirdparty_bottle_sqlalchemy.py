"""bottle-sqlalchemy 0.4.3 (a SQLAlchemy session per request, by keyword) on PostgreSQL: a
callback asking for ``db`` gets a session that is committed after it and rolled back on an
``HTTPError``; a callback that does not ask is left alone; the keyword can be changed per
route with ``sqlalchemy={'keyword': ...}``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import bottle
import bottle_sqlalchemy
import pytest
import sqlalchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from webtest import TestApp


@pytest.fixture
def wiki(database_url: str, unique: str) -> Iterator[tuple[TestApp, Any]]:
    class Base(DeclarativeBase):
        pass

    class Page(Base):
        __tablename__ = unique
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str]

    engine = sqlalchemy.create_engine(database_url)
    app = bottle.Bottle()
    app.install(bottle_sqlalchemy.Plugin(engine, Base.metadata, keyword="db", create=True))

    @app.post("/pages")
    def add(db: Any) -> dict[str, Any]:
        page = Page(title=bottle.request.json["title"])
        db.add(page)
        db.flush()
        return {"id": page.id}

    @app.get("/pages/<page_id:int>")
    def show(page_id: int, db: Any) -> dict[str, Any]:
        page = db.get(Page, page_id)
        if page is None:
            bottle.abort(404, f"No page {page_id}.")
        return {"title": page.title}

    @app.post("/pages/refused")
    def refused(db: Any) -> None:
        db.add(Page(title="never stored"))
        db.flush()
        raise bottle.HTTPError(409, "Refused.")

    @app.get("/count", sqlalchemy={"keyword": "session"})
    def count(session: Any) -> str:
        return str(session.query(Page).count())

    @app.get("/health")
    def health() -> str:
        return "ok"

    yield TestApp(app), Page
    Base.metadata.drop_all(engine)
    engine.dispose()


def test_a_callback_asking_for_db_gets_a_session_committed_after_it(wiki: tuple[TestApp, Any]) -> None:
    client, _ = wiki
    created = client.post_json("/pages", {"title": "Home"}).json
    assert client.get(f"/pages/{created['id']}").json == {"title": "Home"}
    assert client.get("/pages/99999", status=404).status_int == 404


def test_an_http_error_rolls_the_session_back(wiki: tuple[TestApp, Any]) -> None:
    client, _ = wiki
    client.post_json("/pages", {"title": "Kept"})
    assert client.post("/pages/refused", status=409).status_int == 409
    assert client.get("/count").text == "1"


def test_the_keyword_can_be_changed_per_route(wiki: tuple[TestApp, Any]) -> None:
    client, _ = wiki
    assert client.get("/count").text == "0"


def test_a_route_without_db_is_left_alone(wiki: tuple[TestApp, Any]) -> None:
    client, _ = wiki
    assert client.get("/health").text == "ok"
    route = next(route for route in client.app.routes if route.rule == "/health")
    (plugin,) = [plugin for plugin in client.app.plugins if isinstance(plugin, bottle_sqlalchemy.Plugin)]
    assert plugin.apply(route.callback, route) is route.callback


def test_its_wrapper_does_not_keep_the_callback_name(wiki: tuple[TestApp, Any]) -> None:
    # what the conformance kit warns about (docs/plugin-ecosystem.md), shown on both runtimes
    client, _ = wiki
    route = next(route for route in client.app.routes if route.rule == "/count")
    (plugin,) = [plugin for plugin in client.app.plugins if isinstance(plugin, bottle_sqlalchemy.Plugin)]
    assert plugin.apply(route.callback, route).__name__ == "wrapper" != route.callback.__name__
