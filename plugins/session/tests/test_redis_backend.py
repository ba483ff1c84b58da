"""RedisBackend against a real Redis: ids in the cookie, data in Redis with a TTL."""

from __future__ import annotations

import json
from typing import Any

import pytest
import redis
from conftest import OLD_SECRET, SECRET, RedisServer, command_calls, is_deletion, session_app, set_cookie
from demijohn.testing import Client
from itsdangerous import Signer

from demijohn_session import RedisBackend, SessionError, SessionPlugin

WRITES = ("set", "setex", "del", "unlink", "expire", "pexpire")


def redis_client_app(url: str, prefix: str, secret: Any = SECRET, ttl: int = 300) -> Client:
    return Client(session_app(SessionPlugin(RedisBackend(url, prefix, ttl, secret_or_secrets=secret))))


def stored(redis_client: redis.Redis, key: str) -> Any:
    """The JSON stored under ``key``, decoded; fails the test when the key is missing."""
    raw = redis_client.get(key)
    assert raw is not None, f"{key} is not in Redis"
    return json.loads(raw)


def session_id(result: Any) -> str:
    morsel = set_cookie(result)
    assert morsel is not None
    return Signer(SECRET, salt=RedisBackend.salt).unsign(morsel.value).decode()


def test_redis_session_round_trip(redis_url: str, prefix: str, redis_client: redis.Redis) -> None:
    client = redis_client_app(redis_url, prefix)
    sid = session_id(client.get("/set", query={"user": "ada"}))
    assert stored(redis_client, prefix + sid) == {"user": "ada"}
    assert client.get("/get").json == {"data": {"user": "ada"}, "new": False}


def test_cookie_holds_only_a_signed_random_id(redis_url: str, prefix: str) -> None:
    result = redis_client_app(redis_url, prefix).get("/set", query={"user": "ada"})
    morsel = set_cookie(result)
    assert morsel is not None and "ada" not in morsel.value
    sid = session_id(result)
    assert len(sid) >= 22  # url-safe base64: 22 characters carry 128 bits; we mint 43 (256 bits)
    assert sid != session_id(redis_client_app(redis_url, prefix).get("/set", query={"user": "ada"}))


def test_ttl_is_set_on_write(redis_url: str, prefix: str, redis_client: redis.Redis) -> None:
    sid = session_id(redis_client_app(redis_url, prefix, ttl=300).get("/set", query={"user": "ada"}))
    assert 0 < redis_client.ttl(prefix + sid) <= 300


def test_ttl_is_refreshed_when_session_is_read(redis_url: str, prefix: str, redis_client: redis.Redis) -> None:
    client = redis_client_app(redis_url, prefix, ttl=300)
    sid = session_id(client.get("/set", query={"user": "ada"}))
    redis_client.expire(prefix + sid, 5)
    client.get("/get")
    assert redis_client.ttl(prefix + sid) > 5


def test_regenerate_moves_data_to_new_id_and_deletes_old_key(redis_url: str, prefix: str, redis_client: redis.Redis) -> None:
    client = redis_client_app(redis_url, prefix)
    old = session_id(client.get("/set", query={"user": "ada"}))
    new = session_id(client.get("/regenerate"))
    assert new != old
    assert redis_client.exists(prefix + old) == 0
    assert stored(redis_client, prefix + new) == {"user": "ada"}
    assert client.get("/get").json["data"] == {"user": "ada"}


def test_old_id_is_useless_after_regenerate(redis_url: str, prefix: str) -> None:
    client = redis_client_app(redis_url, prefix)
    old_cookie = set_cookie(client.get("/set", query={"user": "ada"}))
    assert old_cookie is not None
    client.get("/regenerate")
    attacker = redis_client_app(redis_url, prefix)
    assert attacker.get("/get", headers={"Cookie": f"session={old_cookie.value}"}).json == {"data": {}, "new": True}


def test_invalidate_deletes_data_and_cookie(redis_url: str, prefix: str, redis_client: redis.Redis) -> None:
    client = redis_client_app(redis_url, prefix)
    sid = session_id(client.get("/set", query={"user": "ada"}))
    morsel = set_cookie(client.get("/logout"))
    assert morsel is not None and is_deletion(morsel)
    assert redis_client.exists(prefix + sid) == 0


def test_emptied_session_deletes_data_and_cookie(redis_url: str, prefix: str, redis_client: redis.Redis) -> None:
    client = redis_client_app(redis_url, prefix)
    sid = session_id(client.get("/set", query={"user": "ada"}))
    morsel = set_cookie(client.get("/clear"))
    assert morsel is not None and is_deletion(morsel)
    assert redis_client.exists(prefix + sid) == 0


def test_expired_session_gives_fresh_session(redis_url: str, prefix: str, redis_client: redis.Redis) -> None:
    client = redis_client_app(redis_url, prefix)
    sid = session_id(client.get("/set", query={"user": "ada"}))
    redis_client.expire(prefix + sid, 0)  # a non-positive TTL expires the key at once
    result = client.get("/get")
    assert result.status_code == 200 and result.json == {"data": {}, "new": True}


def test_tampered_id_gives_fresh_session(redis_url: str, prefix: str) -> None:
    client = redis_client_app(redis_url, prefix)
    morsel = set_cookie(client.get("/set", query={"user": "ada"}))
    assert morsel is not None
    sid, signature = morsel.value.rsplit(".", 1)
    tampered = ("B" if sid[0] == "A" else "A") + sid[1:] + "." + signature
    fresh = redis_client_app(redis_url, prefix)
    assert fresh.get("/get", headers={"Cookie": f"session={morsel.value}"}).json["data"] == {"user": "ada"}
    assert fresh.get("/get", headers={"Cookie": f"session={tampered}"}).json == {"data": {}, "new": True}


def test_unsigned_id_is_refused_even_if_it_exists(redis_url: str, prefix: str) -> None:
    client = redis_client_app(redis_url, prefix)
    sid = session_id(client.get("/set", query={"user": "ada"}))
    attacker = redis_client_app(redis_url, prefix)
    assert attacker.get("/get", headers={"Cookie": f"session={sid}"}).json == {"data": {}, "new": True}


def test_unknown_but_validly_signed_id_gives_fresh_session(redis_url: str, prefix: str) -> None:
    unknown = Signer(SECRET, salt=RedisBackend.salt).sign("A" * 43).decode()
    result = redis_client_app(redis_url, prefix).get("/get", headers={"Cookie": f"session={unknown}"})
    assert result.status_code == 200 and result.json == {"data": {}, "new": True}


def test_writing_after_an_unknown_id_mints_a_new_id(redis_url: str, prefix: str, redis_client: redis.Redis) -> None:
    planted = Signer(SECRET, salt=RedisBackend.salt).sign("A" * 43).decode()  # e.g. fixed by an attacker
    client = redis_client_app(redis_url, prefix)
    result = client.get("/set", query={"user": "ada"}, headers={"Cookie": f"session={planted}"})
    assert session_id(result) != "A" * 43
    assert redis_client.exists(prefix + "A" * 43) == 0


@pytest.mark.parametrize("stored", [b"not json", b"[1, 2]", b"\xff\xfe"], ids=["text", "list", "binary"])
def test_corrupt_data_in_redis_gives_fresh_session(
    redis_url: str, prefix: str, redis_client: redis.Redis, stored: bytes
) -> None:
    client = redis_client_app(redis_url, prefix)
    sid = session_id(client.get("/set", query={"user": "ada"}))
    redis_client.set(prefix + sid, stored)
    result = client.get("/get")
    assert result.status_code == 200 and result.json == {"data": {}, "new": True}


def test_ids_signed_with_a_rotated_out_secret_still_load(redis_url: str, prefix: str) -> None:
    old_client = redis_client_app(redis_url, prefix, secret=OLD_SECRET)
    old_client.get("/set", query={"user": "ada"})
    cookie = old_client.cookies["session"]
    rotated = redis_client_app(redis_url, prefix, secret=[SECRET, OLD_SECRET])
    assert rotated.get("/get", headers={"Cookie": f"session={cookie}"}).json["data"] == {"user": "ada"}


def test_backend_accepts_a_ready_redis_client(redis_url: str, prefix: str, redis_client: redis.Redis) -> None:
    backend = RedisBackend(redis_client, prefix, secret_or_secrets=SECRET)
    client = Client(session_app(SessionPlugin(backend)))
    client.get("/set", query={"user": "ada"})
    assert client.get("/get").json["data"] == {"user": "ada"}
    backend.close()
    assert redis_client.ping()  # a client we were given is not ours to close


@pytest.mark.parametrize(
    "arguments",
    [{"url_or_client": 42}, {"ttl": 0}, {"ttl": "1h"}, {"prefix": None}, {"secret_or_secrets": "short"}],
    ids=["not-a-client", "zero-ttl", "text-ttl", "no-prefix", "short-secret"],
)
def test_bad_backend_arguments_are_refused_with_a_message(arguments: dict[str, Any]) -> None:
    options: dict[str, Any] = {"url_or_client": "redis://127.0.0.1:6379/0", "secret_or_secrets": SECRET}
    options.update(arguments)
    with pytest.raises(SessionError):
        RedisBackend(**options)


# -- writes counted on a Redis of our own (INFO commandstats is server-wide) ------------------------


def test_request_not_touching_the_session_sends_redis_nothing(throwaway_redis: RedisServer) -> None:
    client = redis_client_app(throwaway_redis.url, "s:")
    client.get("/set", query={"user": "ada"})
    stats = throwaway_redis.client()
    before = command_calls(stats, "get", "getex", *WRITES)
    client.get("/untouched")
    assert command_calls(stats, "get", "getex", *WRITES) == before
    client.get("/get")
    assert command_calls(stats, "get", "getex", *WRITES) == before + 1


def test_session_is_written_only_when_it_changed(throwaway_redis: RedisServer) -> None:
    client = redis_client_app(throwaway_redis.url, "s:")
    stats = throwaway_redis.client()
    client.get("/set", query={"user": "ada"})
    assert command_calls(stats, "set") == 1
    client.get("/get")
    client.get("/set", query={"user": "ada"})  # same value: no change, no write
    assert command_calls(stats, "set") == 1
    client.get("/set", query={"user": "grace"})
    assert command_calls(stats, "set") == 2
    assert command_calls(stats, "del", "unlink") == 0
