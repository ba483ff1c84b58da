"""Property tests (hypothesis): URL building round trips for every wildcard filter, and
hostile query strings, cookies, headers, multipart and JSON bodies thrown at the notes app
(all four plugins) through its WSGI callable.

The property for the app: every input gets a well-formed HTTP answer (status line,
header names, values without CR/LF) with a status below 500, and no exception escapes;
hypothesis' ``deadline`` bounds the time of each input. ``--full`` raises the number of
inputs from 200 to 2000 per property; each test counts the inputs it ran into the figures."""

from __future__ import annotations

import json
import string
from collections import Counter
from typing import Any
from urllib.parse import quote, unquote_to_bytes

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from demijohn import App, request
from support import call_wsgi, environ_for, signed_up

INPUTS: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _record_inputs(figures: dict[str, Any]) -> Any:
    yield
    fuzz = figures.setdefault("fuzz", {})
    for name, count in INPUTS.items():
        fuzz[name] = fuzz.get(name, 0) + count


# --------------------------------------------------------------------------------------------
# URL building round trips

def _routing_app() -> App:
    app = App()

    def answer(name: str) -> Any:
        def callback(**args: Any) -> dict[str, Any]:
            return {"route": name, "args": args, "query": dict(request.query.allitems())}
        return callback

    rules = {
        "plain": "/plain/<name>",
        "int": "/int/<n:int>",
        "float": "/float/<x:float>",
        "path": "/files/<rest:path>",
        "re": "/code/<code:re:[a-z]{2,8}>",
        "mixed": "/u/<user>/n/<n:int>/at/<x:float>/<rest:path>",
    }
    for name, rule in rules.items():
        app.route(rule, name=name, callback=answer(name))
    return app


ROUTING_APP = _routing_app()
# A segment value: any text without "/" (a server decodes %2F before routing, so a slash
# can never stay inside one segment) and without surrogates (not encodable as UTF-8).
SEGMENT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/"), min_size=1, max_size=40)
PATH = st.lists(SEGMENT, min_size=1, max_size=5).map("/".join)
FINITE = st.floats(allow_nan=False, allow_infinity=False)
QUERY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


def _round_trip(name: str, values: dict[str, Any], query: str | None = None) -> dict[str, Any]:
    """Build the URL of route ``name``, send it the way a server decodes it, return what matched."""
    extra = {"q": query} if query is not None else {}
    url = ROUTING_APP.get_url(name, **values, **extra)
    path, _, query_string = url.partition("?")
    # A server percent-decodes the path and hands it over as latin-1 (PEP 3333).
    path_info = unquote_to_bytes(path).decode("latin-1")
    answer = call_wsgi(ROUTING_APP, environ_for("GET", path_info, query_string))
    INPUTS["url round trips"] += 1
    assert answer.status_code == 200, (url, answer)
    return json.loads(answer.body)


@given(SEGMENT, QUERY_TEXT)
def test_default_wildcard_round_trips_any_segment_and_query(value: str, query: str) -> None:
    assert _round_trip("plain", {"name": value}, query) == {"route": "plain", "args": {"name": value},
                                                            "query": {"q": query}}


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_int_wildcard_round_trips_any_integer(value: int) -> None:
    assert _round_trip("int", {"n": value}) == {"route": "int", "args": {"n": value}, "query": {}}


@given(FINITE)
@example(1e20)
@example(1e-7)
@example(-0.0)
def test_float_wildcard_round_trips_any_finite_float(value: float) -> None:
    matched = _round_trip("float", {"x": value})
    assert matched["route"] == "float" and matched["args"]["x"] == value


@given(PATH)
@example("\n")
@example("0\n")
def test_path_wildcard_round_trips_any_path(value: str) -> None:
    assert _round_trip("path", {"rest": value}) == {"route": "path", "args": {"rest": value}, "query": {}}


def test_float_url_of_a_non_finite_number_is_refused_with_a_build_error() -> None:
    from demijohn.errors import RouteBuildError

    with pytest.raises(RouteBuildError, match="finite"):
        ROUTING_APP.get_url("float", x=float("inf"))


def test_int_wildcard_does_not_match_a_trailing_newline() -> None:
    assert call_wsgi(ROUTING_APP, environ_for("GET", "/int/5\n")).status_code == 404


@given(st.from_regex(r"[a-z]{2,8}", fullmatch=True))
def test_regex_wildcard_round_trips_matching_values(value: str) -> None:
    assert _round_trip("re", {"code": value}) == {"route": "re", "args": {"code": value}, "query": {}}


@given(SEGMENT, st.integers(min_value=-(10**12), max_value=10**12), FINITE, PATH)
def test_mixed_rule_round_trips_every_wildcard_at_once(user: str, n: int, x: float, rest: str) -> None:
    matched = _round_trip("mixed", {"user": user, "n": n, "x": x, "rest": rest})
    assert matched == {"route": "mixed", "args": {"user": user, "n": n, "x": x, "rest": rest}, "query": {}}


RULE_TEXT = st.lists(st.sampled_from(list("/<>:\\abz_-.*[](){}+?^$|09 ") + [
    "int", "float", "path", "re", "<x>", "<y:int>", "<:re:", "\\<"]), max_size=20).map("".join)


@given(RULE_TEXT)
def test_any_rule_text_is_accepted_or_refused_with_a_route_syntax_error(text: str) -> None:
    from demijohn.errors import RouteSyntaxError

    app = App()
    INPUTS["rules parsed"] += 1
    try:
        app.route("/" + text, callback=lambda **args: "ok", name="fuzzed")
    except RouteSyntaxError:
        return
    # An accepted rule must not break routing: any request gets an answer, never a 500.
    assert call_wsgi(app, environ_for("GET", "/" + text)).status_code < 500


# --------------------------------------------------------------------------------------------
# Hostile input thrown at the notes app

LATIN1 = st.text(st.characters(min_codepoint=0, max_codepoint=255), max_size=200)
PRINTABLE_LATIN1 = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=200)
PATHS = ["/", "/public", "/login", "/signup", "/notes", "/api/notes", "/api/notes/1", "/notes/1/edit",
         "/static/style.css", "/openapi.json", "/nope"]
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


def _fuzz_call(app: Any, environ: dict[str, Any], kind: str) -> None:
    answer = call_wsgi(app, environ)
    INPUTS[kind] += 1
    assert answer.status_code < 500, answer


@pytest.fixture(scope="module")
def member(embedded_app: Any) -> Any:
    """A client signed up to the notes app, with one note."""
    client = signed_up(embedded_app, "fuzzer")
    assert client.post("/api/notes", json={"title": "first"}).status_code == 201
    return client


def _member_environ(member: Any, method: str, path: str, **extra: Any) -> dict[str, Any]:
    cookie = "; ".join(f"{name}={value}" for name, value in member.cookies.items())
    return environ_for(method, path, HTTP_COOKIE=cookie, **extra)


@given(st.sampled_from(PATHS), LATIN1)
def test_any_query_string_gets_an_answer_below_500(embedded_app: Any, path: str, query: str) -> None:
    _fuzz_call(embedded_app, environ_for("GET", path, query), "query strings")


@given(st.sampled_from(PATHS), LATIN1)
def test_any_cookie_header_gets_an_answer_below_500(embedded_app: Any, path: str, cookie: str) -> None:
    _fuzz_call(embedded_app, environ_for("GET", path, HTTP_COOKIE=cookie), "cookie headers")


@given(st.sampled_from(PATHS), st.text(string.ascii_letters + string.digits + "-_.", min_size=1, max_size=60))
def test_any_session_cookie_value_gets_an_answer_below_500(embedded_app: Any, path: str, value: str) -> None:
    _fuzz_call(embedded_app, environ_for("GET", path, HTTP_COOKIE=f"session={value}"), "cookie headers")


HEADER_KEYS = ["HTTP_ACCEPT", "HTTP_ACCEPT_LANGUAGE", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE",
               "HTTP_RANGE", "HTTP_IF_RANGE", "HTTP_AUTHORIZATION", "HTTP_X_FORWARDED_PROTO",
               "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST", "HTTP_HOST", "HTTP_X_REQUESTED_WITH", "CONTENT_TYPE",
               "CONTENT_LENGTH", "HTTP_TRANSFER_ENCODING", "HTTP_ORIGIN", "HTTP_REFERER"]


@given(st.sampled_from(METHODS), st.sampled_from(PATHS),
       st.dictionaries(st.sampled_from(HEADER_KEYS), PRINTABLE_LATIN1, max_size=6), st.binary(max_size=300))
def test_any_headers_get_an_answer_below_500(embedded_app: Any, method: str, path: str, headers: dict[str, str],
                                             body: bytes) -> None:
    environ = environ_for(method, path, body=body)
    environ.update(headers)
    _fuzz_call(embedded_app, environ, "header sets")


@given(st.sampled_from(METHODS), st.sampled_from(PATHS),
       st.dictionaries(st.sampled_from(HEADER_KEYS), PRINTABLE_LATIN1, max_size=6))
def test_any_headers_from_a_signed_in_user_get_an_answer_below_500(embedded_app: Any, member: Any, method: str,
                                                                   path: str, headers: dict[str, str]) -> None:
    environ = _member_environ(member, method, path)
    environ.update(headers)
    _fuzz_call(embedded_app, environ, "header sets")


def _multipart(boundary: str, parts: list[tuple[str, str | None, bytes]], mangle: bytes) -> bytes:
    out = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode("utf-8", "surrogateescape")
        out += content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode() + mangle


BOUNDARY = st.text(string.ascii_letters + string.digits + "'()+_,-./:=? ", min_size=1, max_size=70)
FIELD = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
PARTS = st.lists(st.tuples(st.one_of(st.sampled_from(["csrf", "title", "body", "username", "password"]), FIELD),
                           st.one_of(st.none(), FIELD), st.binary(max_size=200)), max_size=5)


@given(st.sampled_from(["/notes", "/signup", "/login", "/logout", "/notes/1", "/api/notes"]), BOUNDARY, PARTS,
       st.binary(max_size=40), st.booleans())
def test_any_multipart_body_gets_an_answer_below_500(embedded_app: Any, member: Any, path: str, boundary: str,
                                                     parts: list[tuple[str, str | None, bytes]], mangle: bytes,
                                                     truncate: bool) -> None:
    body = _multipart(boundary, parts, mangle)
    if truncate:
        body = body[: len(body) // 2]
    environ = _member_environ(member, "POST", path, CONTENT_TYPE=f'multipart/form-data; boundary="{boundary}"')
    environ["wsgi.input"].write(body)
    environ["wsgi.input"].seek(0)
    environ["CONTENT_LENGTH"] = str(len(body))
    _fuzz_call(embedded_app, environ, "multipart bodies")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30)
NOTE_LIKE = st.fixed_dictionaries({"title": st.one_of(st.text(max_size=250), JSON_VALUES)},
                                  optional={"body": JSON_VALUES, "extra": JSON_VALUES})


@given(st.sampled_from(["POST /api/notes", "PUT /api/notes/1", "PUT /api/notes/999999", "POST /notes"]),
       st.one_of(JSON_VALUES, NOTE_LIKE))
def test_any_json_body_gets_an_answer_below_500(embedded_app: Any, member: Any, target: str, value: Any) -> None:
    method, path = target.split()
    body = json.dumps(value).encode()
    _fuzz_call(embedded_app, _member_environ(member, method, path, body=body, CONTENT_TYPE="application/json",
                                             CONTENT_LENGTH=str(len(body))), "JSON bodies")


@given(st.sampled_from(["POST /api/notes", "PUT /api/notes/1"]), st.binary(max_size=300),
       st.sampled_from(["application/json", "application/problem+json", "application/json; charset=latin-1"]))
def test_any_bytes_sent_as_json_get_an_answer_below_500(embedded_app: Any, member: Any, target: str, body: bytes,
                                                        content_type: str) -> None:
    method, path = target.split()
    _fuzz_call(embedded_app, _member_environ(member, method, path, body=body, CONTENT_TYPE=content_type),
               "JSON bodies")


@given(st.lists(st.sampled_from(["..", "%2e%2e", "%2E%2E", ".", "%00", "\\", "..\\", "%2f", "style.css",
                                 "etc", "passwd", "\x00", "~", "//"]), min_size=1, max_size=8))
def test_any_static_path_gets_an_answer_below_500(embedded_app: Any, parts: list[str]) -> None:
    path = "/static/" + "/".join(parts)
    assume(len(path) > len("/static/"))
    path_info = unquote_to_bytes(quote(path, safe="/%\\")).decode("latin-1")
    answer = call_wsgi(embedded_app, environ_for("GET", path_info))
    INPUTS["static paths"] += 1
    assert answer.status_code < 500 and b"root:" not in answer.body
