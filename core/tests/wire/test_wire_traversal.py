"""Path traversal over a real socket, on every adapter: however the request line spells
``..`` (the server decodes and may normalise it before the app sees the path), a file
outside the static folder is never served."""

from __future__ import annotations

import pytest

from wire_harness import WireServer, get


def test_a_file_inside_the_static_folder_is_served(served: WireServer) -> None:
    wire = get(served.port, "/static/ok.txt")
    assert wire.status == 200 and wire.body == b"public file\n"


@pytest.mark.parametrize("target", ["/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/..%2fsecret.txt",
                                    "/static/%2e%2e%2fsecret.txt", "/static/..%5csecret.txt", "/static//../secret.txt",
                                    "/static/ok.txt/../../secret.txt", "/static/%252e%252e/secret.txt",
                                    "/static/..%00/secret.txt"])
def test_a_file_outside_the_static_folder_never_reaches_the_wire(served: WireServer, target: str) -> None:
    wire = get(served.port, target)
    assert wire.status is None or 400 <= wire.status < 500, wire.raw[:120]
    assert b"SECRET" not in wire.raw
