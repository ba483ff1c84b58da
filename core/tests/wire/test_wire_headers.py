"""Header injection over a real socket, on every adapter: what a request smuggles into a
cookie option, a header name or value, or a redirect target never reaches the wire."""

from __future__ import annotations

import pytest

from wire_harness import WireServer, get

INJECTED = "%0D%0AX-Evil:%201"


def _assert_nothing_injected(raw: bytes) -> None:
    """No line of the header block starts a header the request smuggled in."""
    lines = raw.split(b"\r\n\r\n", 1)[0].split(b"\n")
    assert not [line for line in lines if line.strip().lower().startswith(b"x-evil")], lines


@pytest.mark.parametrize("target", [f"/cookie?option=path&value=/a{INJECTED}",
                                    f"/cookie?option=domain&value=a.example{INJECTED}", f"/header?value=a{INJECTED}",
                                    f"/header?name=X-A{INJECTED}&value=1", f"/cookie-value?value=a{INJECTED}"],
                         ids=["cookie-path", "cookie-domain", "header-value", "header-name", "cookie-value"])
def test_crlf_in_a_cookie_option_or_a_header_never_reaches_the_wire(served: WireServer, target: str) -> None:
    wire = get(served.port, target)
    _assert_nothing_injected(wire.raw)
    assert wire.status == 500 and wire.header("Set-Cookie") is None and wire.header("X-Echo") is None


def test_a_semicolon_in_a_cookie_option_adds_no_attribute_on_the_wire(served: WireServer) -> None:
    wire = get(served.port, "/cookie?option=domain&value=a.example%3B%20SameSite%3DNone")
    assert wire.status == 500 and b"SameSite" not in wire.raw and wire.header("Set-Cookie") is None


def test_a_valid_cookie_option_reaches_the_wire(served: WireServer) -> None:
    wire = get(served.port, "/cookie?option=path&value=/app")
    assert wire.status == 200 and wire.header("Set-Cookie") == "c=v; Path=/app"


def test_a_non_latin_1_header_value_goes_out_whole_as_utf_8(served: WireServer) -> None:
    wire = get(served.port, "/header?value=5%20%E2%82%AC")
    assert wire.status == 200 and (wire.header("X-Echo") or "").encode("latin-1") == "5 \u20ac".encode("utf-8")
    assert int(wire.header("Content-Length") or -1) == len(wire.body) == len(b"header set")


def test_crlf_in_a_redirect_target_is_percent_encoded_on_the_wire(served: WireServer) -> None:
    wire = get(served.port, f"/redirect?to=/x{INJECTED}")
    _assert_nothing_injected(wire.raw)
    assert wire.status == 303 and "/x%0D%0AX-Evil" in (wire.header("Location") or "")
