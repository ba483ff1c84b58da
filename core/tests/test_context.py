"""Context objects: requests served at once never see each other's request or response."""

import threading
import time

from demijohn import App, request, response
from demijohn.testing import Client


def test_concurrent_threads_each_see_their_own_request_and_response():
    app = App()
    barrier = threading.Barrier(8, timeout=10)

    @app.get("/who/<name>")
    def who(name):
        response.set_header("X-Name", name)
        barrier.wait()  # every thread is inside a request at the same moment
        time.sleep(0.01)
        return f"{name}|{request.query.tag}|{response.get_header('X-Name')}"

    results = {}

    def worker(number):
        answer = Client(app).get(f"/who/n{number}", query={"tag": f"t{number}"})
        results[number] = (answer.text, answer.headers["X-Name"])

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert results == {number: (f"n{number}|t{number}|n{number}", f"n{number}") for number in range(8)}


def test_context_is_unbound_after_the_request():
    app = App()
    app.get("/secret")(lambda: "ok")
    Client(app).get("/secret", query={"token": "t1"})
    # Outside a request the main thread sees an empty default request, never the last one.
    assert request.path == "/"
    assert request.query_string == ""
    assert "token" not in request.environ.get("QUERY_STRING", "")


def test_nested_apps_restore_the_outer_request():
    outer, inner = App(), App()
    inner.get("/x")(lambda: "inner")
    outer.mount("/in", inner)
    outer.hook("after_request")(lambda: response.set_header("X-Outer-Path", request.path))
    answer = Client(outer).get("/in/x")
    assert answer.text == "inner"
    assert answer.headers["X-Outer-Path"] == "/in/x"
