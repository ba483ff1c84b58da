"""Every outgoing header line passes one check: names are tokens, values carry no CR, LF,
NUL or other control character and stay within latin-1, and every ``set_cookie`` option is
checked like the cookie's name and value. Each entry point is refused when the value is set."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from demijohn import App, BaseResponse, HTTPError, HTTPResponse, response, static_file
from demijohn.testing import Client

INJECTIONS = ["/a\r\nX-Evil: 1", "/a\nX-Evil: 1", "/a\rX-Evil: 1", "/a\0b"]


# -- cookie options ----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("option", ["path", "domain"])
def test_set_cookie_refuses_a_line_break_or_nul_in_path_and_domain(option: str, value: str) -> None:
    with pytest.raises(ValueError, match=f"option {option}="):
        BaseResponse().set_cookie("sid", "v", **{option: value})


@pytest.mark.parametrize(("option", "value"), [("path", "/; Domain=evil.example"), ("domain", "a.example; SameSite=None"),
                                               ("path", "/a;b")])
def test_set_cookie_refuses_a_semicolon_that_would_add_attributes(option: str, value: str) -> None:
    with pytest.raises(ValueError, match="';'"):
        BaseResponse().set_cookie("sid", "v", **{option: value})


@pytest.mark.parametrize("value", ["/caf\u00e9", "/\u20ac", "/a\tb", "/a\x7fb"])
def test_set_cookie_refuses_a_path_a_cookie_attribute_cannot_carry(value: str) -> None:
    with pytest.raises(ValueError, match="percent-encode"):
        BaseResponse().set_cookie("sid", "v", path=value)


@pytest.mark.parametrize("value", ["evil example", "a/b", "a..b", "-a.example", "caf\u00e9.example", "a_b.example"])
def test_set_cookie_refuses_a_domain_that_is_not_a_host_name(value: str) -> None:
    with pytest.raises(ValueError, match="domain"):
        BaseResponse().set_cookie("sid", "v", domain=value)


@pytest.mark.parametrize("value", ["60", "60\r\nX-Evil: 1", 1.5, True, None.__class__])
def test_set_cookie_takes_max_age_only_as_int_or_timedelta(value: object) -> None:
    with pytest.raises(ValueError, match="max_age must be an int"):
        BaseResponse().set_cookie("sid", "v", max_age=value)


@pytest.mark.parametrize("value", ["tomorrow", "Sun, 06 Nov 1994 08:49:37 GMT\r\nX-Evil: 1", [], True])
def test_set_cookie_refuses_an_expires_that_is_not_a_date(value: object) -> None:
    with pytest.raises(ValueError, match="expires"):
        BaseResponse().set_cookie("sid", "v", expires=value)


def test_set_cookie_writes_an_expires_string_in_the_http_date_form() -> None:
    answer = BaseResponse()
    answer.set_cookie("sid", "v", expires="Sun, 06 Nov 1994 08:49:37 GMT")
    assert "expires=Sun, 06 Nov 1994 08:49:37 GMT" in answer.COOKIES["sid"].OutputString()


@pytest.mark.parametrize("value", ["lax; Secure", "None\r\n", 1, "sometimes"])
def test_set_cookie_refuses_a_samesite_that_is_not_lax_strict_or_none(value: object) -> None:
    with pytest.raises(ValueError, match="samesite must be"):
        BaseResponse().set_cookie("sid", "v", samesite=value)


@pytest.mark.parametrize("option", ["secure", "httponly"])
@pytest.mark.parametrize("value", ["false", 1, "yes\r\nX-Evil: 1"])
def test_set_cookie_takes_secure_and_httponly_only_as_booleans(option: str, value: object) -> None:
    with pytest.raises(ValueError, match="must be True or False"):
        BaseResponse().set_cookie("sid", "v", **{option: value})


def test_set_cookie_refuses_an_unknown_option_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown option 'colour'.*max_age"):
        BaseResponse().set_cookie("sid", "v", colour="red")


@pytest.mark.parametrize("name", ["a b", "a,b", "a(b", "a\u00e9", "", "a:b\r\n"])
def test_set_cookie_refuses_a_name_that_is_not_a_token_with_a_value_error(name: str) -> None:
    with pytest.raises(ValueError, match="not a valid token"):
        BaseResponse().set_cookie(name, "v")


def test_set_cookie_refuses_a_value_beyond_latin_1() -> None:
    with pytest.raises(ValueError, match="beyond latin-1"):
        BaseResponse().set_cookie("sid", "\u20ac")


def test_a_refused_cookie_leaves_no_half_made_cookie_behind() -> None:
    answer = BaseResponse()
    with pytest.raises(ValueError):
        answer.set_cookie("sid", "v", path="/a\r\nX-Evil: 1")
    assert "sid" not in answer.COOKIES and not [line for line in answer.headerlist if line[0] == "Set-Cookie"]


def test_valid_cookie_options_are_all_written() -> None:
    answer = BaseResponse()
    expires = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    answer.set_cookie("sid", "v", path="/app", domain=".example.com", max_age=timedelta(minutes=2), expires=expires,
                      secure=True, httponly=True, samesite="strict")
    line = answer.COOKIES["sid"].OutputString()
    for part in ("Path=/app", "Domain=.example.com", "Max-Age=120", "expires=Wed, 02 Jan 2030 03:04:05 GMT",
                 "Secure", "HttpOnly", "SameSite=Strict"):
        assert part in line


def test_false_secure_and_httponly_leave_the_attributes_out() -> None:
    answer = BaseResponse()
    answer.set_cookie("sid", "v", secure=False, httponly=False, samesite=None)
    assert answer.COOKIES["sid"].OutputString() == "sid=v"


def test_a_cookie_changed_directly_in_cookies_is_checked_when_the_headers_are_built() -> None:
    answer = BaseResponse()
    answer.set_cookie("sid", "v")
    answer.COOKIES["sid"]["path"] = "/a\r\nX-Evil: 1"
    with pytest.raises(ValueError, match="line break"):
        answer.headerlist  # noqa: B018 - building it is the check


# -- every header entry point ------------------------------------------------------------------------
BAD_VALUES = ["a\r\nX-Evil: 1", "a\x0bb", "a\x1bb", "a\x7fb"]
BAD_NAMES = ["X-Evil\r\nSet-Cookie: a", "X Evil", "X:Evil", "", "X-\u00e9"]


def _setters(answer: BaseResponse) -> list[object]:
    return [answer.set_header, answer.add_header, answer.__setitem__, answer.headers.__setitem__,
            answer.headers.append]


@pytest.mark.parametrize("value", BAD_VALUES)
def test_set_header_and_add_header_refuse_an_unsafe_value(value: str) -> None:
    answer = BaseResponse()
    for setter in _setters(answer):
        with pytest.raises(ValueError, match="Header value"):
            setter("X-Test", value)  # type: ignore[operator]
    with pytest.raises(ValueError):
        answer.content_type = value


@pytest.mark.parametrize("name", BAD_NAMES)
def test_set_header_and_add_header_refuse_a_name_that_is_not_a_token(name: str) -> None:
    for setter in _setters(BaseResponse()):
        with pytest.raises(ValueError, match="Header name"):
            setter(name, "v")  # type: ignore[operator]


@pytest.mark.parametrize(("name", "value"), [("X-Test", "a\r\nX-Evil: 1"), ("X Test", "v"), ("X-Test", "a\x00b")])
def test_headers_given_to_response_constructors_are_checked(name: str, value: str) -> None:
    with pytest.raises(ValueError):
        HTTPResponse("body", headers={name: value})
    with pytest.raises(ValueError):
        HTTPResponse("body", headers=[(name, value)])
    with pytest.raises(ValueError):
        BaseResponse("body", 200, {name: value})
    if name.isidentifier():  # keyword arguments can only carry identifier names
        with pytest.raises(ValueError):
            HTTPError(400, "bad", **{name.replace("-", "_"): value})


def test_static_file_refuses_unsafe_extra_headers(tmp_path) -> None:
    (tmp_path / "a.txt").write_text("a")
    app = App()

    @app.get("/a")
    def serve() -> object:
        return static_file("a.txt", root=tmp_path, headers={"X-Test": "a\r\nX-Evil: 1"})

    answer = Client(app).get("/a")
    assert answer.status_code == 500 and "X-Evil" not in answer.headers


def test_latin_1_and_tab_are_accepted_in_header_values() -> None:
    answer = BaseResponse()
    answer.set_header("X-Test", "caf\u00e9\tnoir")
    assert answer.get_header("X-Test") == "caf\u00e9\tnoir"


def test_a_non_latin_1_header_value_is_handed_to_the_server_as_its_utf_8_bytes() -> None:
    app = App()
    seen: list[tuple[str, str]] = []

    @app.get("/")
    def index() -> str:
        response.set_header("X-Name", "5 \u20ac")
        return "ok"

    app({"REQUEST_METHOD": "GET", "PATH_INFO": "/"}, lambda status, headers: seen.extend(headers))
    assert ("X-Name", "5 \u20ac".encode("utf-8").decode("latin-1")) in seen


@pytest.mark.parametrize("value", ["\x0b", "\x1f", "\x7f", "\ud800"])
def test_other_control_characters_and_lone_surrogates_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="Header value"):
        BaseResponse().set_header("X-Test", f"a{value}b")


def test_bottles_same_site_spelling_is_accepted() -> None:
    answer = BaseResponse()
    answer.set_cookie("sid", "v", same_site="lax")
    assert answer.COOKIES["sid"].OutputString() == "sid=v; SameSite=Lax"


def test_a_refused_cookie_option_is_also_a_cookie_error_as_in_bottle() -> None:
    from http.cookies import CookieError

    with pytest.raises(CookieError):
        BaseResponse().set_cookie("sid", "v", same_site="invalid")
    with pytest.raises(CookieError):
        BaseResponse().set_cookie("sid", "v", path="/a;b")
