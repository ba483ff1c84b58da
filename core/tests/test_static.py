"""static_file(): content types, validators, conditional and range requests, downloads,
and refusing every path that leaves the root."""

import os

import pytest
from demijohn import App, static_file
from demijohn.httputil import http_date
from demijohn.testing import Client

CONTENT = b"0123456789abcdefghij"


@pytest.fixture
def root(tmp_path):
    folder = tmp_path / "public"
    folder.mkdir()
    (folder / "data.bin").write_bytes(CONTENT)
    (folder / "page.html").write_text("<p>hi</p>")
    (folder / "style.css").write_text("p{}")
    (folder / "blob.unknownext").write_bytes(b"??")
    (folder / "sub").mkdir()
    (folder / "sub" / "inner.txt").write_text("inner")
    (tmp_path / "secret.txt").write_text("secret")
    stamp = 1_700_000_000
    os.utime(folder / "data.bin", (stamp, stamp))
    return folder


@pytest.fixture
def client(root):
    app = App()

    @app.get("/static/<path:path>")
    def serve(path):
        return static_file(path, root=str(root))

    @app.get("/download/<path:path>")
    def download(path):
        return static_file(path, root=str(root), download=True)

    @app.get("/as/<name>")
    def download_as(name):
        return static_file("data.bin", root=str(root), download=name)

    @app.get("/typed")
    def typed():
        return static_file("data.bin", root=str(root), mimetype="image/png", headers={"Cache-Control": "max-age=60"})

    @app.get("/no-etag")
    def no_etag():
        return static_file("data.bin", root=str(root), etag=False)

    @app.get("/raw")
    def raw():  # a path that does not come through the router's normalisation
        from demijohn import request
        return static_file(request.query.get("f", ""), root=str(root))

    return Client(app)


# -- a plain GET -------------------------------------------------------------------------------
def test_serves_the_file_content_with_its_length(client):
    answer = client.get("/static/data.bin")
    assert answer.status_code == 200
    assert answer.body == CONTENT
    assert answer.headers["Content-Length"] == str(len(CONTENT))


def test_text_types_get_a_charset(client):
    assert client.get("/static/page.html").headers["Content-Type"] == "text/html; charset=UTF-8"
    assert client.get("/static/style.css").headers["Content-Type"] == "text/css; charset=UTF-8"


def test_unknown_types_are_sent_as_octet_stream_never_as_html(client):
    assert client.get("/static/blob.unknownext").headers["Content-Type"] == "application/octet-stream"


def test_an_explicit_mimetype_and_extra_headers_are_used(client):
    answer = client.get("/typed")
    assert answer.headers["Content-Type"] == "image/png"
    assert answer.headers["Cache-Control"] == "max-age=60"


def test_last_modified_is_the_files_mtime(client):
    assert client.get("/static/data.bin").headers["Last-Modified"] == http_date(1_700_000_000)


def test_an_etag_is_sent_quoted_and_stays_the_same_for_an_unchanged_file(client):
    first = client.get("/static/data.bin").headers["ETag"]
    assert first.startswith('"') and first.endswith('"') and len(first) > 10
    assert client.get("/static/data.bin").headers["ETag"] == first


def test_etag_false_sends_no_etag(client):
    assert "ETag" not in client.get("/no-etag").headers


def test_files_in_subfolders_are_served(client):
    assert client.get("/static/sub/inner.txt").text == "inner"


def test_head_sends_the_headers_without_a_body(client):
    answer = client.head("/static/data.bin")
    assert answer.status_code == 200
    assert answer.body == b""
    assert answer.headers["Content-Length"] == str(len(CONTENT))


# -- downloads -------------------------------------------------------------------------------------
def test_download_true_names_the_attachment_after_the_file(client):
    assert client.get("/download/data.bin").headers["Content-Disposition"] == 'attachment; filename="data.bin"'


def test_download_with_a_name_uses_it_and_guesses_the_type_from_it(client):
    answer = client.get("/as/report.pdf")
    assert answer.headers["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert answer.headers["Content-Type"] == "application/pdf"


def test_quotes_are_removed_from_the_download_name(client):
    assert client.get('/as/a"b.txt').headers["Content-Disposition"] == 'attachment; filename="ab.txt"'


def test_a_non_ascii_download_name_is_sent_as_rfc6266_filename_star(client):
    disposition = client.get("/as/r%C3%A9sum%C3%A9.pdf").headers["Content-Disposition"]
    assert disposition == "attachment; filename=\"r_sum_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"


def test_control_characters_are_dropped_from_the_download_name(root):
    app = App()
    app.route("/", callback=lambda: static_file("data.bin", root=str(root), download="a\r\nSet-Cookie: x.txt"))
    assert Client(app).get("/").headers["Content-Disposition"] == 'attachment; filename="aSet-Cookie: x.txt"'


# -- missing and forbidden ---------------------------------------------------------------------------
def test_a_missing_file_is_404(client):
    assert client.get("/static/nope.txt").status_code == 404


def test_a_folder_is_404(client):
    assert client.get("/static/sub").status_code == 404


def test_dot_dot_traversal_is_403(client):
    answer = client.get("/raw", query={"f": "../secret.txt"})
    assert answer.status_code == 403
    assert "secret" not in answer.text


def test_dot_dot_traversal_inside_a_longer_path_is_403(client):
    assert client.get("/raw", query={"f": "sub/../../secret.txt"}).status_code == 403


def test_an_encoded_traversal_in_the_url_is_403(client):
    assert client.get("/static/..%2fsecret.txt").status_code == 403


def test_an_absolute_path_is_taken_below_the_root_never_from_the_file_system_root(client, root):
    answer = client.get("/raw", query={"f": str(root.parent / "secret.txt")})
    assert answer.status_code == 404
    assert "secret" not in answer.text


def test_a_symlink_pointing_outside_the_root_is_403(client, root):
    (root / "escape.txt").symlink_to(root.parent / "secret.txt")
    assert client.get("/static/escape.txt").status_code == 403


def test_a_symlink_inside_the_root_is_served(client, root):
    (root / "alias.bin").symlink_to(root / "data.bin")
    assert client.get("/static/alias.bin").body == CONTENT


def test_a_sibling_folder_sharing_the_roots_prefix_is_403(client, root):
    sibling = root.parent / (root.name + "-other")
    sibling.mkdir()
    (sibling / "x.txt").write_text("x")
    assert client.get("/raw", query={"f": f"../{sibling.name}/x.txt"}).status_code == 403


def test_an_unreadable_file_is_403(client, monkeypatch):
    # Tests may run as root, which reads any file whatever its mode; so deny through os.access.
    monkeypatch.setattr("demijohn.static.os.access", lambda path, mode: False)
    answer = client.get("/static/data.bin")
    assert answer.status_code == 403
    assert "permission" in answer.text


def test_a_nul_byte_in_the_name_is_400(client):
    assert client.get("/raw", query={"f": "data.bin\0.txt"}).status_code == 400


# -- conditional requests ------------------------------------------------------------------------
def test_if_none_match_with_the_current_etag_is_304_without_body(client):
    etag = client.get("/static/data.bin").headers["ETag"]
    answer = client.get("/static/data.bin", headers={"If-None-Match": etag})
    assert answer.status_code == 304
    assert answer.body == b""
    assert "Content-Length" not in answer.headers


def test_if_none_match_with_a_weak_or_listed_etag_is_304(client):
    etag = client.get("/static/data.bin").headers["ETag"]
    assert client.get("/static/data.bin", headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304


def test_if_none_match_with_another_etag_is_200(client):
    assert client.get("/static/data.bin", headers={"If-None-Match": '"stale"'}).status_code == 200


def test_if_modified_since_at_or_after_the_mtime_is_304(client):
    answer = client.get("/static/data.bin", headers={"If-Modified-Since": http_date(1_700_000_000)})
    assert answer.status_code == 304


def test_if_modified_since_before_the_mtime_is_200(client):
    answer = client.get("/static/data.bin", headers={"If-Modified-Since": http_date(1_600_000_000)})
    assert answer.status_code == 200
    assert answer.body == CONTENT


def test_a_malformed_if_modified_since_is_ignored(client):
    assert client.get("/static/data.bin", headers={"If-Modified-Since": "yesterday"}).status_code == 200


# -- ranges ----------------------------------------------------------------------------------------
def test_a_range_is_206_with_the_slice_and_content_range(client):
    answer = client.get("/static/data.bin", headers={"Range": "bytes=2-5"})
    assert answer.status_code == 206
    assert answer.body == CONTENT[2:6]
    assert answer.headers["Content-Range"] == f"bytes 2-5/{len(CONTENT)}"
    assert answer.headers["Content-Length"] == "4"


def test_a_suffix_range_is_the_last_bytes(client):
    answer = client.get("/static/data.bin", headers={"Range": "bytes=-3"})
    assert answer.body == CONTENT[-3:]
    assert answer.headers["Content-Range"] == f"bytes 17-19/{len(CONTENT)}"


def test_an_open_range_runs_to_the_end(client):
    assert client.get("/static/data.bin", headers={"Range": "bytes=15-"}).body == CONTENT[15:]


def test_a_range_past_the_end_is_clipped_to_the_file(client):
    answer = client.get("/static/data.bin", headers={"Range": "bytes=18-1000"})
    assert answer.body == CONTENT[18:]
    assert answer.headers["Content-Range"] == f"bytes 18-19/{len(CONTENT)}"


def test_an_unsatisfiable_range_is_416_with_the_size(client):
    answer = client.get("/static/data.bin", headers={"Range": "bytes=100-200"})
    assert answer.status_code == 416
    assert answer.headers["Content-Range"] == f"bytes */{len(CONTENT)}"


def test_a_malformed_byte_range_is_416(client):
    assert client.get("/static/data.bin", headers={"Range": "bytes=x-y"}).status_code == 416


def test_a_range_in_another_unit_is_ignored(client):
    answer = client.get("/static/data.bin", headers={"Range": "lines=1-2"})
    assert answer.status_code == 200
    assert answer.body == CONTENT


def test_head_with_a_range_is_206_without_body(client):
    answer = client.head("/static/data.bin", headers={"Range": "bytes=0-1"})
    assert answer.status_code == 206
    assert answer.body == b""


def test_if_range_with_the_current_etag_serves_the_range(client):
    etag = client.get("/static/data.bin").headers["ETag"]
    answer = client.get("/static/data.bin", headers={"Range": "bytes=0-1", "If-Range": etag})
    assert answer.status_code == 206


def test_if_range_with_a_stale_etag_serves_the_whole_file(client):
    answer = client.get("/static/data.bin", headers={"Range": "bytes=0-1", "If-Range": '"stale"'})
    assert answer.status_code == 200
    assert answer.body == CONTENT


def test_responses_advertise_byte_ranges(client):
    assert client.get("/static/data.bin").headers["Accept-Ranges"] == "bytes"


def test_the_file_of_a_range_response_is_closed_after_sending(client, root, monkeypatch):
    opened = []
    real_open = open

    def tracking_open(*args, **kwargs):
        file = real_open(*args, **kwargs)
        opened.append(file)
        return file

    monkeypatch.setattr("builtins.open", tracking_open)
    client.get("/static/data.bin", headers={"Range": "bytes=0-1"})
    assert opened and all(file.closed for file in opened)


def test_a_whole_file_goes_through_the_servers_file_wrapper_when_it_has_one(client):
    from wsgiref.util import FileWrapper

    wrapped = []

    def file_wrapper(file, block_size=8192):
        wrapped.append(file.name)
        return FileWrapper(file, block_size)

    answer = client.get("/static/data.bin", environ={"wsgi.file_wrapper": file_wrapper})
    assert answer.body == CONTENT
    assert wrapped and wrapped[0].endswith("data.bin")
