"""Reading request bodies: Content-Length only in ASCII digits, chunked bodies decoded when
the server leaves them undecoded (wsgiref), malformed chunks and failing reads answered 4xx,
and ``Range`` numbers only in ASCII digits. Over real sockets: ``tests/wire/``."""

from __future__ import annotations

import io
from typing import Any

import pytest

from demijohn import App, parse_range_header, request, static_file
from demijohn.bodyreader import ChunkedReader
from demijohn.testing import Client


@pytest.fixture
def echo() -> Client:
    app = App()

    @app.post("/echo")
    def body() -> bytes:
        return request.body.read()

    return Client(app)


@pytest.mark.parametrize("length", ["\u00b2", "\u0661\u0662", "\uff11", "1_0", "+5", " 5", "0x10", "-1"])
def test_a_content_length_that_is_not_ascii_digits_is_a_400(echo: Client, length: str) -> None:
    answer = echo.post("/echo", data=b"x" * 20, environ={"CONTENT_LENGTH": length})
    assert answer.status_code == 400 and "Content-Length" in answer.text


def _chunked(body: bytes) -> dict[str, Any]:
    return {"wsgi.input": io.BytesIO(body), "HTTP_TRANSFER_ENCODING": "chunked", "CONTENT_LENGTH": ""}


def test_a_chunked_body_the_server_left_undecoded_is_decoded(echo: Client) -> None:
    body = b"5\r\nhello\r\n1;name=value\r\n \r\n6\r\nworld!\r\n0\r\nX-Trailer: 1\r\n\r\n"
    assert echo.post("/echo", environ=_chunked(body)).body == b"hello world!"


def test_chunked_coding_wins_over_a_content_length_sent_beside_it(echo: Client) -> None:
    environ = {**_chunked(b"3\r\nabc\r\n0\r\n\r\n"), "CONTENT_LENGTH": "5"}
    assert echo.post("/echo", environ=environ).body == b"abc"


def test_a_chunked_body_over_the_limit_is_a_413(echo: Client) -> None:
    echo.app.config["request.max_body"] = 10
    body = b"8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n"
    assert echo.post("/echo", environ=_chunked(body)).status_code == 413


def test_a_chunked_body_a_server_decoded_is_read_as_it_is(echo: Client) -> None:
    environ = {**_chunked(b"already decoded"), "wsgi.input_terminated": True}
    assert echo.post("/echo", environ=environ).body == b"already decoded"


@pytest.mark.parametrize("body", [
    b"zz\r\nhello\r\n0\r\n\r\n",  # not hexadecimal
    b"1_0\r\n" + b"x" * 16 + b"\r\n0\r\n\r\n",  # int(..., 16) would take it
    b"0x5\r\nhello\r\n0\r\n\r\n",
    b"5\r\nhello world\r\n0\r\n\r\n",  # longer than its size
    b"5\r\nhel",  # ends inside a chunk
    b"5\r\nhello\r\n",  # no last chunk
    b"\r\n",  # empty size line
    b"1" * 5000 + b"\r\n",  # a size line longer than any size
    b"-5\r\nhello\r\n0\r\n\r\n",
], ids=["not-hex", "underscore", "0x", "too-long", "truncated", "no-last-chunk", "empty-size", "huge-line", "negative"])
def test_a_malformed_chunked_body_is_a_400_saying_so(echo: Client, body: bytes) -> None:
    answer = echo.post("/echo", environ=_chunked(body))
    assert answer.status_code == 400 and "chunked body" in answer.text


class _FailingInput:
    def __init__(self, error: BaseException) -> None:
        self.error = error

    def read(self, size: int = -1) -> bytes:
        raise self.error


class _MalformedChunk(Exception):
    """Like gunicorn's InvalidChunkSize: the server's own parse error, raised from read()."""


@pytest.mark.parametrize("error", [_MalformedChunk("Invalid chunk size: 'zz'"), ValueError("bad"),
                                   ConnectionResetError(104, "reset")])
def test_an_error_raised_by_the_servers_input_is_a_400_not_a_500(echo: Client, error: BaseException) -> None:
    answer = echo.post("/echo", environ={"wsgi.input": _FailingInput(error), "CONTENT_LENGTH": "10"})
    assert answer.status_code == 400 and "could not be read" in answer.text


def test_a_read_timeout_of_the_server_is_a_408(echo: Client) -> None:
    answer = echo.post("/echo", environ={"wsgi.input": _FailingInput(TimeoutError("timed out")), "CONTENT_LENGTH": "10"})
    assert answer.status_code == 408


def test_the_chunked_reader_reads_in_steps_across_chunks() -> None:
    reader = ChunkedReader(io.BytesIO(b"3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n"))
    assert [reader.read(2), reader.read(3), reader.read(10), reader.read(1)] == [b"ab", b"cde", b"fg", b""]


# -- Range ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("header", ["bytes=1_0-2_0", "bytes=\u0661-\u0662", "bytes=+1-2", "bytes= 1 - 2",
                                    "bytes=-", "bytes=" + "9" * 5000 + "-"])
def test_a_range_with_anything_but_ascii_digits_is_not_satisfied(header: str) -> None:
    assert list(parse_range_header(header, 100)) == []


def test_valid_ranges_are_still_parsed() -> None:
    assert list(parse_range_header("bytes=0-9, 20-, -5", 100)) == [(0, 10), (20, 100), (95, 100)]


def test_static_file_answers_416_to_a_range_with_underscores(tmp_path: Any) -> None:
    (tmp_path / "f.txt").write_bytes(b"0123456789" * 5)
    app = App()

    @app.get("/f")
    def serve() -> Any:
        return static_file("f.txt", root=tmp_path)

    assert Client(app).get("/f", headers={"Range": "bytes=1_0-2_0"}).status_code == 416
    assert Client(app).get("/f", headers={"Range": "bytes=10-20"}).body == b"01234567890"
