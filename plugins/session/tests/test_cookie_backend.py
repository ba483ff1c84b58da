"""CookieBackend: the whole session in a signed, timestamped JSON cookie."""

from __future__ import annotations

import pickle
import secrets
import time
from typing import Any

import pytest
from conftest import OLD_SECRET, SECRET, is_deletion, session_app, set_cookie
from demijohn import App
from demijohn.testing import Client
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from demijohn_session import CookieBackend, SessionError, SessionPlugin, SessionTooLarge

UNPICKLED: list[str] = []


def cookie_client(secret: Any = SECRET, **options: Any) -> Client:
    return Client(session_app(SessionPlugin(CookieBackend(secret), **options)))


def cookie_value(client: Client, **data: str) -> str:
    morsel = set_cookie(client.get("/set", query=data))
    assert morsel is not None
    return morsel.value


def read_with_cookie(client: Client, value: str) -> Any:
    return client.get("/get", headers={"Cookie": f"session={value}"}).json


def test_cookie_session_round_trip() -> None:
    client = cookie_client()
    assert client.get("/set", query={"user": "ada"}).status_code == 200
    assert client.get("/get").json == {"data": {"user": "ada"}, "new": False}


def test_cookie_payload_is_plain_signed_json() -> None:
    value = cookie_value(cookie_client(), user="ada")
    # Any JSON itsdangerous serializer with the secret reads it: nothing but JSON is inside.
    assert URLSafeTimedSerializer(SECRET, salt=CookieBackend.salt).loads(value) == {"user": "ada"}


def test_request_that_only_reads_sets_no_cookie() -> None:
    client = cookie_client()
    client.get("/set", query={"user": "ada"})
    assert set_cookie(client.get("/get")) is None


def test_request_without_cookie_starts_new_empty_session() -> None:
    assert cookie_client().get("/get").json == {"data": {}, "new": True}


def test_tampered_cookie_gives_fresh_empty_session() -> None:
    client = cookie_client()
    value = cookie_value(client, user="ada")
    payload, rest = value.split(".", 1)
    forged = URLSafeTimedSerializer("attacker-secret-0123456789", salt=CookieBackend.salt).dumps({"user": "root"})
    tampered = ("B" if payload[0] == "A" else "A") + payload[1:] + "." + rest
    fresh = cookie_client()
    assert read_with_cookie(fresh, value)["data"] == {"user": "ada"}
    assert read_with_cookie(fresh, tampered) == {"data": {}, "new": True}
    assert read_with_cookie(fresh, forged) == {"data": {}, "new": True}


@pytest.mark.parametrize(
    "garbage",
    ["garbage", "....", "a.b.c", "x" * 3000, "%ZZ", "eyJ1c2VyIjoiYWRhIn0", "é-not-ascii"],
    ids=["word", "dots", "three-parts", "long", "bad-percent", "unsigned-json", "non-ascii"],
)
def test_malformed_cookie_gives_fresh_session_not_500(garbage: str) -> None:
    result = cookie_client().get("/get", headers={"Cookie": f"session={garbage}"})
    assert result.status_code == 200
    assert result.json == {"data": {}, "new": True}


def _record_unpickling(marker: str) -> str:
    UNPICKLED.append(marker)
    return marker


class _Exploit:
    def __reduce__(self) -> Any:
        return (_record_unpickling, ("unpickled",))


def test_validly_signed_pickle_is_never_unpickled() -> None:
    signed_pickle = URLSafeTimedSerializer(SECRET, salt=CookieBackend.salt, serializer=pickle).dumps(_Exploit())
    result = cookie_client().get("/get", headers={"Cookie": f"session={signed_pickle}"})
    assert result.json == {"data": {}, "new": True}
    assert UNPICKLED == []


class _PastSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 3600


def test_cookie_older_than_ttl_gives_fresh_session() -> None:
    client = Client(session_app(SessionPlugin(CookieBackend(SECRET, ttl=60))))
    old = URLSafeTimedSerializer(SECRET, salt=CookieBackend.salt, signer=_PastSigner).dumps({"user": "ada"})
    current = URLSafeTimedSerializer(SECRET, salt=CookieBackend.salt).dumps({"user": "ada"})
    assert read_with_cookie(client, current)["data"] == {"user": "ada"}
    assert read_with_cookie(client, old) == {"data": {}, "new": True}


def test_rotated_secrets_still_read_cookies_signed_with_old_secret() -> None:
    old_cookie = cookie_value(cookie_client(OLD_SECRET), user="ada")
    rotated = cookie_client([SECRET, OLD_SECRET])
    assert read_with_cookie(rotated, old_cookie)["data"] == {"user": "ada"}


def test_rotated_secrets_sign_with_the_first_secret() -> None:
    new_cookie = cookie_value(cookie_client([SECRET, OLD_SECRET]), user="ada")
    assert CookieBackend(SECRET).load(new_cookie) == (None, {"user": "ada"})
    assert CookieBackend(OLD_SECRET).load(new_cookie) is None


def test_retired_secret_no_longer_verifies() -> None:
    old_cookie = cookie_value(cookie_client(OLD_SECRET), user="ada")
    assert read_with_cookie(cookie_client(SECRET), old_cookie) == {"data": {}, "new": True}


@pytest.mark.parametrize("secret", ["", "short", [], [SECRET, "short"], [SECRET, 42]])
def test_weak_or_missing_secret_is_refused_with_advice(secret: Any) -> None:
    with pytest.raises(SessionError, match="secret"):
        CookieBackend(secret)


def error_saving(value: Any) -> tuple[Any, BaseException | None]:
    """Store ``value`` in a cookie session; return the response and the exception behind its 500."""
    app = App()
    app.install(SessionPlugin(CookieBackend(SECRET)))
    raised: list[BaseException] = []

    @app.get("/store")
    def store(session: Any) -> str:
        session["value"] = value
        return "stored"

    @app.error(500)
    def remember(error: Any) -> str:
        raised.append(error.exception)
        return "not stored"

    result = Client(app).get("/store")
    return result, raised[0] if raised else None


def test_session_too_large_for_a_cookie_is_an_error_at_save_time() -> None:
    result, error = error_saving(secrets.token_urlsafe(6000))  # random: does not compress below 4 KB
    assert result.status_code == 500 and set_cookie(result) is None
    assert isinstance(error, SessionTooLarge)
    assert "4096" in str(error) and "RedisBackend" in str(error)


def test_session_just_under_the_limit_is_stored() -> None:
    client = cookie_client()
    value = cookie_value(client, blob=secrets.token_urlsafe(2000))
    assert len("session=" + value) <= 4096


def test_non_json_value_is_a_clear_error() -> None:
    result, error = error_saving(object())
    assert result.status_code == 500 and set_cookie(result) is None
    assert isinstance(error, SessionError) and "JSON" in str(error)


def test_non_string_key_is_refused() -> None:
    app = App()
    app.install(SessionPlugin(CookieBackend(SECRET)))

    @app.get("/bad")
    def bad(session: Any) -> str:
        try:
            session[1] = "x"
        except SessionError as error:
            return str(error)
        return "accepted"

    assert "keys must be str" in Client(app).get("/bad").text


def test_emptied_session_deletes_its_cookie() -> None:
    client = cookie_client()
    client.get("/set", query={"user": "ada"})
    morsel = set_cookie(client.get("/clear"))
    assert morsel is not None and is_deletion(morsel)


def test_invalidate_deletes_the_cookie() -> None:
    client = cookie_client()
    client.get("/set", query={"user": "ada"})
    morsel = set_cookie(client.get("/logout"))
    assert morsel is not None and is_deletion(morsel)


def test_emptying_a_session_that_had_no_cookie_sets_none() -> None:
    assert set_cookie(cookie_client().get("/clear")) is None
