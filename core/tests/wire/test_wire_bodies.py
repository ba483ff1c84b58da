"""Request bodies and oversized headers over a real socket, on every adapter: a body shorter
than its Content-Length never hangs a thread for good, Unicode digits in Content-Length are
a 400, chunked bodies are decoded (by the server or by demijohn on wsgiref), a malformed
chunk is a 400, and a 200 KB header is refused while the server keeps serving."""

from __future__ import annotations

from wire_harness import SHORT_TIMEOUTS, WireServer, get, post, stalled_post


def _timeout(adapter: str) -> float:
    options = SHORT_TIMEOUTS[adapter]
    return float(options.get("timeout", 0) or options["channel_timeout"] + options["cleanup_interval"])


def test_a_body_shorter_than_its_content_length_never_hangs(served: WireServer) -> None:
    if served.adapter == "granian":
        # granian has no read timeout for bodies (docs/deployment.md: a proxy that buffers
        # them goes in front): the stalled request holds one thread of its pool, and the
        # server goes on answering everyone else.
        with stalled_post(served.port, "/echo", 1000, b'{"title": "x"}'):
            assert get(served.port, "/").status == 200
        return
    wire = post(served.port, "/echo", "Content-Length: 1000\r\n", b'{"title": "x"}', wait=_timeout(served.adapter) + 10)
    assert wire.closed, "the server still holds the connection after its read timeout"
    if served.adapter == "waitress":
        # waitress reads the whole body before calling the app: it closes the connection
        # after channel_timeout, and the app never sees the request.
        assert wire.raw == b""
    else:
        assert wire.status == 408 and b"did not arrive in time" in wire.body
    assert get(served.port, "/").status == 200


def test_unicode_digits_in_content_length_are_a_400(served: WireServer) -> None:
    wire = post(served.port, "/echo", "Content-Length: \u00b2\r\n", b"ab")
    assert wire.status == 400


def test_a_chunked_body_is_decoded_on_every_server(served: WireServer) -> None:
    body = b"5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"
    wire = post(served.port, "/echo", "Transfer-Encoding: chunked\r\n", body)
    assert wire.status == 200 and wire.body == b"hello, world"


def test_a_malformed_chunk_is_a_400_on_every_server(served: WireServer) -> None:
    wire = post(served.port, "/echo", "Transfer-Encoding: chunked\r\n", b"zz\r\nhello\r\n0\r\n\r\n")
    if served.adapter == "granian":
        # granian decodes chunked bodies itself and hands the app an empty body when one is
        # malformed, so the app cannot tell; what reaches it is never the broken bytes.
        assert wire.status == 200 and wire.body == b""
    else:
        assert wire.status == 400


def test_a_200_kb_header_is_refused_and_the_server_keeps_serving(served: WireServer) -> None:
    wire = get(served.port, "/", headers=f"X-Big: {'x' * 200_000}\r\n")
    assert wire.status is None or 400 <= wire.status < 500, wire.raw[:200]
    assert get(served.port, "/").status == 200
