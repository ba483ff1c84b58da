"""Answers that depend on request headers outside the route's key are stored per variant."""

from __future__ import annotations

import threading

from demijohn import App, request, response
from demijohn.testing import Client
from demijohn_cache import CachePlugin
from demijohn_cache._keys import digest, encode_variants


def greeting_app(plugin: CachePlugin, page, **config: object) -> tuple[App, list[int]]:
    app = App()
    app.install(plugin)
    calls: list[int] = []

    def counted() -> str:
        calls.append(1)
        return page()

    app.route("/page", callback=counted, cache=config or True)
    return app, calls


def french_or_english() -> str:
    response.set_header("Vary", "accept-language")
    return "bonjour" if request.environ.get("HTTP_ACCEPT_LANGUAGE") == "fr" else "hello"


def test_an_answer_naming_its_own_vary_is_stored_per_value(backend):
    app, calls = greeting_app(CachePlugin(backend), french_or_english)
    for _ in range(2):
        assert Client(app).get("/page", headers={"Accept-Language": "fr"}).text == "bonjour"
        assert Client(app).get("/page", headers={"Accept-Language": "en"}).text == "hello"
    assert len(calls) == 2  # one per language; the repeats were hits
    assert Client(app).get("/page", headers={"Accept-Language": "en"}).headers["Vary"] == "Accept-Language"


def test_vary_star_is_never_stored(backend):
    def anything() -> str:
        response.set_header("Vary", "*")
        return "depends on who knows what"

    app, calls = greeting_app(CachePlugin(backend), anything)
    answers = [Client(app).get("/page") for _ in range(2)]
    assert [answer.headers["X-Cache"] for answer in answers] == ["MISS", "MISS"]
    assert len(calls) == 2


def test_a_declared_vary_header_stays_in_the_primary_key(backend):
    def page() -> str:
        return f"hello {request.get_cookie('user')}"

    app, calls = greeting_app(CachePlugin(backend), page, vary=["Cookie"])
    for _ in range(2):
        for name in ("alice", "bob"):
            answer = Client(app).get("/page", headers={"Cookie": f"user={name}"})
            assert answer.text == f"hello {name}" and answer.headers["Vary"] == "Cookie"
    assert len(calls) == 2


def test_a_custom_key_is_refined_by_the_cookie_the_answer_read(backend):
    def page() -> str:
        return f"hello {request.get_cookie('user')}"

    app, calls = greeting_app(CachePlugin(backend), page, key=lambda req: "one-for-all")
    for _ in range(2):
        for name in ("alice", "bob"):
            assert Client(app).get("/page", headers={"Cookie": f"user={name}"}).text == f"hello {name}"
    assert len(calls) == 2


def test_a_damaged_marker_is_a_miss_not_an_error(backend):
    app, calls = greeting_app(CachePlugin(backend), lambda: f"hello {request.get_cookie('user')}",
                              key=lambda req: "fixed")
    primary = "r:" + digest("fixed")
    for junk in (b"DJV1not json", b"DJV1[]", b"DJV1[1, 2]", b'DJV1{"a": 1}', encode_variants(["Cookie"])[:-1]):
        backend.set(primary, junk, 60)
        answer = Client(app).get("/page", headers={"Cookie": "user=alice"})
        assert answer.status_code == 200 and answer.text == "hello alice"
    assert Client(app).get("/page", headers={"Cookie": "user=bob"}).text == "hello bob"


def test_visitors_queued_behind_the_first_computation_then_compute_their_own_at_once(backend):
    """While the first answer of a cold route runs, other visitors wait on the route's key;
    once it turns out to vary on the cookie, they compute their own variants in parallel
    instead of one after another behind the route's lock."""
    alice_started, alice_go = threading.Event(), threading.Event()
    together = threading.Barrier(2, timeout=3)  # bob and carol must compute at the same time

    def page() -> str:
        user = request.get_cookie("user")
        if user == "alice":
            alice_started.set()
            assert alice_go.wait(5)
        else:
            together.wait()
        return f"hello {user}"

    app, calls = greeting_app(CachePlugin(backend, lock_wait=5), page)
    asked = {"bob": 0, "carol": 0}
    asking = threading.Condition()
    acquire = backend.acquire

    def counted_acquire(key: str, timeout: float, wait: float) -> object:
        with asking:
            if threading.current_thread().name in asked:
                asked[threading.current_thread().name] += 1
                asking.notify_all()
        return acquire(key, timeout, wait)

    backend.acquire = counted_acquire
    answers: dict[str, str] = {}

    def visit(name: str) -> None:
        answers[name] = Client(app).get("/page", headers={"Cookie": f"user={name}"}).text

    threads = {name: threading.Thread(target=visit, args=(name,), name=name) for name in ("alice", "bob", "carol")}
    threads["alice"].start()
    assert alice_started.wait(5)
    threads["bob"].start()
    threads["carol"].start()
    with asking:  # both are waiting for the route's lock, which alice holds
        assert asking.wait_for(lambda: min(asked.values()) >= 2, timeout=5)
    alice_go.set()
    for thread in threads.values():
        thread.join(10)
    assert answers == {"alice": "hello alice", "bob": "hello bob", "carol": "hello carol"}
    assert len(calls) == 3
