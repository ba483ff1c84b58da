"""Redis goes down mid-test: 503 where the session is needed, everything else unaffected."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import SECRET, RedisServer, session_app
from demijohn.testing import Client

from demijohn_session import RedisBackend, Session, SessionPlugin


@pytest.fixture
def outage_app(throwaway_redis: RedisServer) -> Iterator[Client]:
    """A client on an app whose sessions live in the throwaway Redis; one session already saved."""
    app = session_app(SessionPlugin(RedisBackend(throwaway_redis.url, "s:", secret_or_secrets=SECRET)))

    @app.get("/optional", session={"required": False})
    def optional(session: Session) -> dict[str, Any]:
        session["visited"] = True  # not saved while the store is down
        return {"data": dict(session), "unavailable": session.unavailable}

    client = Client(app)
    assert client.get("/set", query={"user": "ada"}).status_code == 200
    yield client
    app.close()


def test_route_using_the_session_answers_503_while_redis_is_down(outage_app: Client, throwaway_redis: RedisServer) -> None:
    throwaway_redis.stop()
    result = outage_app.get("/get")
    assert result.status_code == 503
    assert "session store is unavailable" in result.text
    assert result.headers.get("Retry-After") == "1"


def test_write_to_the_session_answers_503_while_redis_is_down(outage_app: Client, throwaway_redis: RedisServer) -> None:
    throwaway_redis.stop()
    assert outage_app.get("/set", query={"user": "grace"}).status_code == 503


def test_route_not_touching_the_session_is_unaffected_by_the_outage(outage_app: Client, throwaway_redis: RedisServer) -> None:
    throwaway_redis.stop()
    result = outage_app.get("/untouched")
    assert (result.status_code, result.text) == (200, "no session here")


def test_route_with_optional_session_runs_with_an_empty_one_during_the_outage(
    outage_app: Client, throwaway_redis: RedisServer
) -> None:
    throwaway_redis.stop()
    result = outage_app.get("/optional")
    assert result.status_code == 200
    assert result.json == {"data": {"visited": True}, "unavailable": True}
    assert "Set-Cookie" not in result.headers


def test_service_recovers_by_itself_when_redis_is_back(outage_app: Client, throwaway_redis: RedisServer) -> None:
    throwaway_redis.stop()
    assert outage_app.get("/get").status_code == 503
    throwaway_redis.start()  # same port, empty (--save '')
    assert outage_app.get("/set", query={"user": "grace"}).status_code == 200
    assert outage_app.get("/get").json == {"data": {"user": "grace"}, "new": False}
