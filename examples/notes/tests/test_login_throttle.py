"""Logging in: no timing difference between unknown and known user names, and failures throttled
per account and per client address, in memory (embedded) and in Redis (services)."""

from __future__ import annotations

import dataclasses
import hashlib
import time

import pytest
from conftest import csrf, signed_up, visible_text

from demijohn.testing import Client

PASSWORD = "correct horse"
WINDOW = 60.0  # seconds: far longer than any test's requests take, however slow the machine
SHORT_WINDOW = 1.5  # for the tests that wait for the window to end


def throttled_app(settings, **limits):
    from notes import create_app

    options = {"login_limit_account": 5, "login_limit_address": 20, "login_window": WINDOW, **limits}
    return create_app(dataclasses.replace(settings, **options))


@pytest.fixture
def throttled(settings):
    app = throttled_app(settings)
    yield app
    app.close()


def visitor(app, address: str) -> Client:
    return Client(app, base_environ={"REMOTE_ADDR": address})


def log_in(client: Client, username: str, password: str):
    token = csrf(client.get("/login").text)
    return client.post("/login", data={"csrf": token, "username": username, "password": password})


def test_40_wrong_passwords_get_429_after_the_account_limit(throttled):
    signed_up(throttled, "ann", PASSWORD)
    attacker = visitor(throttled, "192.0.2.1")
    answers = [log_in(attacker, "ann", f"guess {number}") for number in range(40)]
    assert [answer.status_code for answer in answers] == [401] * 5 + [429] * 35
    refused = answers[-1]
    wait = int(refused.headers["Retry-After"])
    assert WINDOW - 30 <= wait <= WINDOW
    text = visible_text(refused.text)
    assert "Too many failed logins" in text and f"Try again in {wait} seconds." in text
    assert 'value="ann"' in refused.text and "<header>" in refused.text  # the login page, name kept


def test_the_right_password_of_another_account_from_another_address_still_works(throttled):
    signed_up(throttled, "ann", PASSWORD)
    signed_up(throttled, "bob", PASSWORD)
    attacker = visitor(throttled, "192.0.2.1")
    assert [log_in(attacker, "ann", "wrong").status_code for _ in range(40)][-1] == 429
    assert log_in(visitor(throttled, "198.51.100.7"), "bob", PASSWORD).status_code == 303


def test_the_attacked_account_is_refused_from_every_address_until_the_window_ends(settings):
    app = throttled_app(settings, login_window=SHORT_WINDOW)
    try:
        signed_up(app, "ann", PASSWORD)
        for _ in range(5):
            log_in(visitor(app, "192.0.2.1"), "ann", "wrong")
        owner = visitor(app, "198.51.100.7")
        refused = log_in(owner, "ann", PASSWORD)
        assert refused.status_code == 429 and "Try again in 2 seconds." in visible_text(refused.text)
        time.sleep(SHORT_WINDOW + 0.1)
        assert log_in(owner, "ann", PASSWORD).status_code == 303
        # ... and the count starts again from zero.
        statuses = [log_in(visitor(app, "192.0.2.1"), "ann", "wrong").status_code for _ in range(6)]
        assert statuses == [401] * 5 + [429]
    finally:
        app.close()


def test_one_address_trying_many_accounts_is_stopped_by_the_address_limit(throttled):
    attacker = visitor(throttled, "192.0.2.1")
    statuses = [log_in(attacker, f"user{number}", "wrong").status_code for number in range(25)]
    assert statuses == [401] * 20 + [429] * 5
    assert log_in(visitor(throttled, "198.51.100.7"), "user99", "wrong").status_code == 401


def test_a_successful_login_clears_the_accounts_count(throttled):
    signed_up(throttled, "ann", PASSWORD)
    client = visitor(throttled, "192.0.2.1")
    for _ in range(4):
        log_in(client, "ann", "wrong")
    assert log_in(client, "ann", PASSWORD).status_code == 303
    stranger = visitor(throttled, "198.51.100.7")
    assert [log_in(stranger, "ann", "wrong").status_code for _ in range(5)] == [401] * 5


def test_the_limits_come_from_the_settings(settings):
    app = throttled_app(settings, login_limit_account=2)
    try:
        client = visitor(app, "192.0.2.1")
        assert [log_in(client, "ann", "wrong").status_code for _ in range(3)] == [401, 401, 429]
    finally:
        app.close()


def test_every_worker_sees_the_same_counts_in_redis(services_settings):
    first, second = throttled_app(services_settings), throttled_app(services_settings)  # two processes' apps
    try:
        for _ in range(5):
            log_in(visitor(first, "192.0.2.1"), "ann", "wrong")
        assert log_in(visitor(second, "198.51.100.7"), "ann", "wrong").status_code == 429
    finally:
        first.close()
        second.close()


@pytest.fixture
def scrypt_calls(monkeypatch):
    """Counts password hash computations (scrypt calls) made while a test runs."""
    calls = []
    real = hashlib.scrypt

    def counting(*args, **kwargs):
        calls.append(kwargs.get("n"))
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


def test_an_unknown_user_name_costs_the_same_hashing_as_a_wrong_password(throttled, scrypt_calls):
    signed_up(throttled, "ann", PASSWORD)
    client = visitor(throttled, "192.0.2.1")
    scrypt_calls.clear()
    assert log_in(client, "ann", "wrong").status_code == 401
    known = list(scrypt_calls)
    scrypt_calls.clear()
    assert log_in(client, "nobody", "wrong").status_code == 401
    assert scrypt_calls == known and len(known) == 1  # one hash, at the same cost


def test_a_throttled_attempt_computes_no_hash(throttled, scrypt_calls):
    client = visitor(throttled, "192.0.2.1")
    for _ in range(5):
        log_in(client, "ann", "wrong")
    scrypt_calls.clear()
    assert log_in(client, "ann", "wrong").status_code == 429
    assert scrypt_calls == []


def test_memory_counters_keep_a_bounded_number_of_keys():
    from notes.throttle import MemoryCounters

    counters = MemoryCounters(max_keys=3)
    for number in range(10):
        counters.add(f"address:{number}", 60)
    assert len(counters._counts) <= 3
    assert counters.count("address:9") == (1, pytest.approx(60, abs=1))


@pytest.mark.parametrize("option", [{"per_account": 0}, {"per_address": -1}, {"window": "60"}, {"window": True}])
def test_a_throttle_with_a_nonsense_limit_is_refused(option):
    from notes.throttle import LoginThrottle, MemoryCounters

    with pytest.raises(ValueError, match="must be a positive number"):
        LoginThrottle(MemoryCounters(), **option)


def test_when_redis_is_down_a_login_is_refused_with_503_not_let_through_unthrottled(sqlite_settings):
    from notes import create_app

    app = create_app(dataclasses.replace(sqlite_settings, redis_url="redis://127.0.0.1:1/0"))  # nothing listens
    try:
        client = Client(app)
        form = client.get("/login")  # an anonymous page needs no Redis at all
        assert form.status_code == 200
        answer = client.post("/login", data={"csrf": csrf(form.text), "username": "ann", "password": "x"})
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
        assert "Logging in is unavailable for a moment" in answer.text and "<header>" in answer.text
    finally:
        app.close()
