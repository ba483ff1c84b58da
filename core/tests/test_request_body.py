"""The request body is read once, kept, and parsed only when a request has one (issue 18)."""

import io

import pytest
from demijohn import BaseRequest, request
from demijohn.datastructures import ConfigDict


class Unreadable(io.RawIOBase):
    """A ``wsgi.input`` that fails the test when anything reads it."""

    def read(self, size=-1):
        raise AssertionError("the body was read although the request has none")


class Trickle(io.RawIOBase):
    """A ``wsgi.input`` that hands out at most three bytes per read, as a slow socket may."""

    def __init__(self, data):
        self.data = data

    def read(self, size=-1):
        size = 3 if size < 0 else min(size, 3)
        piece, self.data = self.data[:size], self.data[size:]
        return piece


def test_the_body_read_twice_gives_the_same_bytes(app, client):
    app.post("/")(lambda: f"{request.body.read()!r} {request.body.read()!r}")
    assert client.post("/", data=b"abc").text == "b'abc' b'abc'"


def test_the_body_after_forms_and_json_is_the_raw_body(app, client):
    app.post("/form")(lambda: f"{request.forms.get('a')} {request.body.read()!r} {request['wsgi.input'].read()!r}")
    app.post("/json")(lambda: f"{request.json['a']} {request.body.read()!r}")
    assert client.post("/form", data={"a": "1"}).text == "1 b'a=1' b''"
    assert client.post("/json", json={"a": 2}).text == """2 b'{"a": 2}'"""


def test_a_body_arriving_in_small_pieces_is_read_whole(app, client):
    app.post("/")(lambda: request.forms.get("name"))
    data = b"name=" + b"x" * 40
    answer = client.post("/", environ={"wsgi.input": Trickle(data), "CONTENT_LENGTH": str(len(data)),
                                       "CONTENT_TYPE": "application/x-www-form-urlencoded"})
    assert answer.text == "x" * 40


@pytest.mark.parametrize("length", ["", "0"])
def test_a_request_without_a_body_never_reads_the_input(app, client, length):
    app.get("/")(lambda: f"{request.params.get('q')} {len(request.forms)} {len(request.files)} {request.json}")
    answer = client.get("/?q=1", environ={"wsgi.input": Unreadable(), "CONTENT_LENGTH": length})
    assert answer.text == "1 0 0 None"


def test_forms_of_an_urlencoded_body_are_its_post_fields(app, client):
    app.post("/")(lambda: f"{request.forms is request.POST} {len(request.files)}")
    assert client.post("/", data={"a": "1"}).text == "True 0"


def test_params_merge_without_changing_query_or_forms(app, client):
    @app.post("/")
    def merged():
        params = request.params
        params.append("a", "extra")
        return f"{params.getall('a')} {request.query.getall('a')} {request.forms.getall('a')}"

    assert client.post("/?a=q", data={"a": "f"}).text == "['q', 'f', 'extra'] ['q'] ['f']"


def test_a_changed_limit_applies_to_the_next_request(app, client):
    app.post("/")(lambda: request.forms.get("a"))
    assert client.post("/", data={"a": "x" * 50}).status_code == 200
    app.config["request.max_memory"] = 20
    assert client.post("/", data={"a": "x" * 50}).status_code == 413
    del app.config["request.max_memory"]
    assert client.post("/", data={"a": "x" * 50}).status_code == 200


def test_the_class_defaults_still_apply_when_the_config_sets_no_limit(app, client, monkeypatch):
    app.post("/")(lambda: request.forms.get("a"))
    monkeypatch.setattr(BaseRequest, "MAX_MEMORY", 20)
    assert client.post("/", data={"a": "x" * 50}).status_code == 413


def test_derived_config_values_are_recomputed_after_a_change():
    config, calls = ConfigDict(), []

    def compute(c):
        calls.append(1)
        return c.get("a", 0) * 2

    assert config.derived("double", compute) == 0
    assert config.derived("double", compute) == 0 and len(calls) == 1
    config["a"] = 4
    assert config.derived("double", compute) == 8 and len(calls) == 2
    overlay = config._make_overlay()
    assert overlay.derived("double", compute) == 8 and len(calls) == 3  # an overlay keeps nothing


def test_percent_escapes_decode_in_either_case_and_mixed_with_raw_utf8():
    from demijohn.request import parse_query

    parsed = parse_query("a=J%C3%BCrgen+X&b=%4a%4A&c=%e2%82%AC&d=%2541&" + "é=%C3%A9".encode().decode("latin-1"))
    assert parsed.dict == {"a": ["Jürgen X"], "b": ["JJ"], "c": ["€"], "d": ["%41"], "é": ["é"]}


@pytest.mark.parametrize("query", ["x=%FF", "x=%C3", "x=%zz", "x=%4"])
def test_bad_percent_escapes_are_400(query):
    from demijohn.request import parse_query
    from demijohn.response import HTTPError

    with pytest.raises(HTTPError) as raised:
        parse_query(query)
    assert raised.value.status_code == 400


def test_the_headers_view_is_case_insensitive_decodes_utf8_and_records_credentials():
    raw = "Zürich".encode().decode("latin-1")  # how a server hands UTF-8 header bytes to WSGI
    req = BaseRequest({"HTTP_X_TOKEN": "s3cret", "HTTP_X_CITY": raw, "HTTP_COOKIE": "a=1", "CONTENT_TYPE": "text/plain"})
    headers = req.headers
    assert headers["x-token"] == headers["X-TOKEN"] == headers.get("X-Token") == "s3cret"
    assert headers["X-City"] == "Zürich" and headers.raw("X-City") == raw
    assert headers.get("Content-Type") == "text/plain" and headers.get("X-Missing", "-") == "-"
    assert req.varies == frozenset()
    assert headers.get("cookie") == "a=1" and req.varies == {"Cookie"}
    with pytest.raises(KeyError):
        headers["X-Missing"]


@pytest.mark.parametrize("drop", [lambda c: c.pop("a"), lambda c: c.popitem(), lambda c: c.clear()])
def test_derived_values_are_forgotten_when_a_key_is_popped_or_cleared(drop):
    config = ConfigDict()
    config["a"] = 3
    assert config.derived("double", lambda c: c.get("a", 0) * 2) == 6
    drop(config)
    assert config.derived("double", lambda c: c.get("a", 0) * 2) == 0
