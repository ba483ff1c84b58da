"""Signed cookies in a cookie-safe alphabet, still reading the first format, and the
Cookie header parsed without SimpleCookie unless a value is quoted (issue 18)."""

import base64
import hashlib
import hmac
import json

import pytest
from demijohn import App, request, response
from demijohn.testing import Client

SECRET = "s3cret"


def first_format(name, value, secret=SECRET):
    """A value as releases before this one signed it: padded base64, '?' between the parts."""
    payload = base64.urlsafe_b64encode(json.dumps([name, value], separators=(",", ":")).encode())
    signature = base64.urlsafe_b64encode(hmac.new(secret.encode(), payload, hashlib.sha256).digest())
    return "!" + signature.decode() + "?" + payload.decode()


@pytest.fixture
def app():
    app = App()
    app.get("/set")(lambda: response.set_cookie("account", {"id": 7, "name": "Zoë"}, secret=SECRET) or "ok")
    app.get("/read")(lambda: json.dumps(request.get_cookie("account", secret=SECRET)))
    return app


def test_a_signed_value_goes_out_unquoted_and_reads_back(app):
    client = Client(app)
    header = client.get("/set").headers["Set-Cookie"]
    value = header.split(";")[0].split("=", 1)[1]
    assert '"' not in value and value.startswith("!")
    answer = Client(app).get("/read", headers={"Cookie": f"account={value}"})
    assert json.loads(answer.text) == {"id": 7, "name": "Zoë"}


def test_a_cookie_signed_in_the_first_format_still_reads(app):
    old = first_format("account", {"id": 7})
    for sent in (f'"{old}"', old):  # quoted, as the first format was set, and bare
        answer = Client(app).get("/read", headers={"Cookie": f"theme=dark; account={sent}"})
        assert json.loads(answer.text) == {"id": 7}, sent


@pytest.mark.parametrize("value", [
    first_format("account", {"id": 7}, secret="other"),  # another secret
    first_format("other", {"id": 7}),  # signed for another cookie name
    "!AAAA.AAAA", "!", "plain", "!x?y",
])
def test_a_value_that_does_not_verify_reads_as_none(app, value):
    answer = Client(app).get("/read", headers={"Cookie": f"account={value}"})
    assert answer.text == "null"


def test_a_tampered_current_format_value_reads_as_none(app):
    header = Client(app).get("/set").headers["Set-Cookie"]
    value = header.split(";")[0].split("=", 1)[1]
    signature, payload = value[1:].split(".")
    forged = base64.urlsafe_b64encode(json.dumps(["account", {"id": 1}]).encode()).decode().rstrip("=")
    for sent in (f"!{signature}.{forged}", value + "A", value[:-1], f"!{signature}.{payload}=="):
        assert Client(app).get("/read", headers={"Cookie": f"account={sent}"}).text == "null", sent


def test_the_cookie_header_fast_path_and_quoted_values():
    app = App()
    app.get("/")(lambda: json.dumps({name: request.cookies.getall(name) for name in request.cookies}))
    client = Client(app)
    plain = client.get("/", headers={"Cookie": "a=1; b=two;c=3 ; =x; novalue; a=4"})
    assert json.loads(plain.text) == {"a": ["1", "4"], "b": ["two"], "c": ["3"]}
    quoted = client.get("/", headers={"Cookie": 'a="x y"; b=2; c="\\"q\\""'})
    assert json.loads(quoted.text) == {"a": ["x y"], "b": ["2"], "c": ['"q"']}


OPTION_SETS = [
    {}, {"max_age": 3600, "httponly": True}, {"max_age": 0, "path": "/", "secure": True, "samesite": "lax"},
    {"expires": 0, "max_age": -1, "domain": "example.com"}, {"same_site": "Strict", "httponly": False},
    {"path": "", "secure": False}, {"comment": "a note", "version": 1, "path": "/x"},
]


def morsel_line(name, value, options):
    """The Set-Cookie text a Morsel writes for these options (how cookies were written before)."""
    from http.cookies import Morsel, SimpleCookie

    from demijohn.headercheck import cookie_option

    morsel = Morsel()
    morsel.set(name, value, SimpleCookie().value_encode(value)[1])
    for key, option in options.items():
        key = "samesite" if key == "same_site" else key.replace("_", "-")
        checked = cookie_option(name, key, option)
        if checked is not None:
            morsel[key] = checked
    return morsel.OutputString()


@pytest.mark.parametrize("options", OPTION_SETS)
@pytest.mark.parametrize("value", ["dark", "", "two words", 'q"uote', "a,b", "x=y"])
def test_set_cookie_writes_what_a_morsel_writes(options, value):
    from demijohn import BaseResponse

    answer = BaseResponse()
    answer.set_cookie("theme", value, **options)
    sent = [line for name, line in answer.headerlist if name == "Set-Cookie"]
    assert sent == [morsel_line("theme", value, options)]


def test_cookies_stay_visible_and_changeable_through_COOKIES():
    from demijohn import BaseResponse

    answer = BaseResponse()
    answer.set_cookie("a", "1", path="/")
    answer.set_cookie("b", "2")
    answer.set_cookie("a", "3", httponly=True)  # set again: replaces, keeps its place
    assert [(key, morsel.value) for key, morsel in answer.COOKIES.items()] == [("a", "3"), ("b", "2")]
    answer.COOKIES["b"]["path"] = "/b"
    answer.set_cookie("c", "4")
    assert [line for name, line in answer.headerlist if name == "Set-Cookie"] == [
        "a=3; HttpOnly", "b=2; Path=/b", "c=4"]


def test_copies_and_raised_responses_carry_the_cookies():
    from demijohn import HTTPResponse

    app = App()

    @app.get("/")
    def raise_with_cookie():
        response.set_cookie("kept", "1")
        moved = HTTPResponse("moved", status=302, Location="/x")
        moved.set_cookie("moved", "2")
        raise moved

    sent = Client(app).get("/").headers.getall("Set-Cookie")
    assert sent == ["moved=2"]  # a raised response replaces the current one, cookies included (as Bottle)
    original = HTTPResponse()
    original.set_cookie("a", "1", max_age=5)
    assert [v for n, v in original.copy().headerlist if n == "Set-Cookie"] == ["a=1; Max-Age=5"]


@pytest.mark.parametrize("name", ["path", "Expires", "HTTPONLY"])
def test_a_cookie_named_like_an_attribute_is_refused(name):
    from http.cookies import CookieError

    from demijohn import BaseResponse

    with pytest.raises(CookieError):
        BaseResponse().set_cookie(name, "x")
