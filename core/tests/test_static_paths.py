"""static_file()'s path walk and caches (issue 18): symlinks anywhere on the way are still
followed and checked against the root, a root switched to another folder is seen at once,
and the type and date caches give what the uncached path gave."""

import mimetypes
import os

from demijohn import App, static_file
from demijohn.testing import Client


def _client(root):
    app = App()
    app.get("/<path:path>")(lambda path: static_file(path, root=str(root)))
    return Client(app)


def test_a_symlinked_folder_on_the_way_out_of_the_root_is_403(tmp_path):
    root, outside = tmp_path / "public", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (root / "link").symlink_to(outside)
    answer = _client(root).get("/link/secret.txt")
    assert answer.status_code == 403 and "secret" not in answer.text


def test_a_symlinked_folder_inside_the_root_is_served(tmp_path):
    root = tmp_path / "public"
    (root / "real").mkdir(parents=True)
    (root / "real" / "a.txt").write_text("inside")
    (root / "alias").symlink_to(root / "real")
    assert _client(root).get("/alias/a.txt").text == "inside"


def test_a_file_used_as_a_folder_is_404(tmp_path):
    root = tmp_path / "public"
    root.mkdir()
    (root / "a.txt").write_text("x")
    assert _client(root).get("/a.txt/b.txt").status_code == 404


def test_a_root_symlink_switched_to_another_release_serves_the_new_files(tmp_path):
    for release in ("v1", "v2"):
        (tmp_path / release).mkdir()
        (tmp_path / release / "app.js").write_text(release)
    current = tmp_path / "current"
    current.symlink_to(tmp_path / "v1")
    client = _client(current)
    assert client.get("/app.js").text == "v1"
    current.unlink()
    current.symlink_to(tmp_path / "v2")
    assert client.get("/app.js").text == "v2"


def test_types_per_extension_match_the_standard_library(tmp_path):
    root = tmp_path / "public"
    root.mkdir()
    client = _client(root)
    for name, expected in (("a.css", "text/css; charset=UTF-8"), ("b.CSS", "text/css; charset=UTF-8"),
                           ("c.tar.gz", "application/gzip"), ("d.png", mimetypes.guess_type("d.png")[0]),
                           ("README", "application/octet-stream"), (".hidden", "application/octet-stream")):
        (root / name).write_bytes(b"x")
        assert client.get("/" + name).headers["Content-Type"] == expected, name


def test_dates_follow_the_files_mtime_after_a_change(tmp_path):
    root = tmp_path / "public"
    root.mkdir()
    (root / "a.txt").write_text("x")
    client = _client(root)
    os.utime(root / "a.txt", (1_700_000_000, 1_700_000_000))
    first = client.get("/a.txt").headers
    os.utime(root / "a.txt", (1_700_000_100, 1_700_000_100))
    second = client.get("/a.txt").headers
    assert first["Last-Modified"] == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert second["Last-Modified"] == "Tue, 14 Nov 2023 22:15:00 GMT"
    assert first["ETag"] != second["ETag"] and second["Date"].endswith(" GMT")
