"""The response: status, headers, cookies, header injection refused."""

from datetime import timedelta

import pytest
from demijohn import BaseResponse, HTTPError, HTTPResponse


def test_status_from_int_and_line():
    response = BaseResponse()
    response.status = 404
    assert (response.status_code, response.status_line) == (404, "404 Not Found")
    response.status = "599 Custom Reason"
    assert (response.status_code, response.status) == (599, "599 Custom Reason")


@pytest.mark.parametrize("bad", [42, 1000, "abc", "", "200\r\nX: y"])
def test_invalid_status_is_refused(bad):
    with pytest.raises(ValueError):
        BaseResponse().status = bad


def test_default_content_type_in_headerlist():
    assert BaseResponse().headerlist == [("Content-Type", "text/html; charset=UTF-8")]


def test_set_add_and_get_header_are_case_insensitive():
    response = BaseResponse()
    response.set_header("x-thing", "1")
    response.add_header("X-THING", "2")
    assert response.headers.getall("X-Thing") == ["1", "2"]
    assert response.get_header("x-thing") == "2"
    assert "x-thing" in response


@pytest.mark.parametrize("value", ["a\r\nSet-Cookie: x=1", "a\nb", "a\rb", "a\0b"])
def test_header_values_with_line_breaks_are_refused(value):
    response = BaseResponse()
    with pytest.raises(ValueError, match="line break"):
        response.set_header("X-Test", value)
    with pytest.raises(ValueError):
        response["X-Test"] = value


def test_body_headers_dropped_for_304():
    response = BaseResponse(status=304)
    response.set_header("Content-Length", "10")
    assert response.headerlist == []


def test_charset_from_content_type():
    response = BaseResponse()
    assert response.charset == "UTF-8"
    response.content_type = "text/plain; charset=latin-1"
    assert response.charset == "latin-1"


def test_set_cookie_with_all_options():
    response = BaseResponse()
    response.set_cookie("name", "value", max_age=timedelta(hours=1), path="/p", domain="example.com",
                        secure=True, httponly=True, samesite="strict")
    header = dict(response.headerlist)["Set-Cookie"]
    for part in ("name=value", "Max-Age=3600", "Path=/p", "Domain=example.com", "Secure", "HttpOnly",
                 "SameSite=Strict"):
        assert part in header


def test_cookie_values_with_line_breaks_are_refused():
    with pytest.raises(ValueError):
        BaseResponse().set_cookie("c", "a\r\nb")


def test_cookie_over_4kb_is_refused():
    with pytest.raises(ValueError, match="4 KB"):
        BaseResponse().set_cookie("c", "x" * 5000)


def test_non_string_cookie_needs_a_secret():
    with pytest.raises(TypeError, match="secret"):
        BaseResponse().set_cookie("c", {"a": 1})


def test_invalid_samesite_is_refused():
    with pytest.raises(ValueError, match="samesite"):
        BaseResponse().set_cookie("c", "v", samesite="sometimes")


def test_delete_cookie_expires_it():
    response = BaseResponse()
    response.delete_cookie("c", path="/")
    header = dict(response.headerlist)["Set-Cookie"]
    assert "Max-Age=-1" in header and "c=" in header


def test_http_response_apply_copies_state():
    target = BaseResponse()
    HTTPResponse("body", 201, {"X-A": "1"}).apply(target)
    assert (target.status_code, target.get_header("X-A"), target.body) == (201, "1", "body")


def test_http_error_keeps_exception_and_defaults_to_500():
    error = HTTPError(exception=KeyError("k"))
    assert error.status_code == 500
    assert isinstance(error.exception, KeyError)


def test_copy_is_independent():
    original = BaseResponse()
    original.set_header("X-A", "1")
    original.set_cookie("c", "v")
    copy = original.copy()
    copy.set_header("X-A", "2")
    assert original.get_header("X-A") == "1"
    assert "Set-Cookie" in dict(copy.headerlist)
