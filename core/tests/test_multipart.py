"""multipart/form-data: fields, uploads, FileUpload, streaming with bounded memory, limits,
and malformed bodies answered with 400."""

import io
import tracemalloc

import pytest
from demijohn import App, BottleException, FileUpload, HTTPError, request
from hypothesis import given, settings
from hypothesis import strategies as st
from demijohn.multipart import (MultipartLimits, MultipartParser, UploadExistsError, parse_multipart,
                                parse_options_header)
from demijohn.testing import Client

BOUNDARY = "----demijohnBoundary7MA4YWxk"


def encode(*parts, boundary=BOUNDARY, preamble=b"", epilogue=b""):
    """Build a multipart body from ``(name, value)`` fields and ``(name, filename, data,
    content_type)`` files."""
    out = [preamble]
    for part in parts:
        out.append(f"--{boundary}\r\n".encode())
        if len(part) == 2:
            name, value = part
            out.append(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
            out.append(value.encode() if isinstance(value, str) else value)
        else:
            name, filename, data, content_type = part
            out.append(f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                       f"Content-Type: {content_type}\r\n\r\n".encode())
            out.append(data)
        out.append(b"\r\n")
    out.append(f"--{boundary}--\r\n".encode() + epilogue)
    return b"".join(out)


def content_type(boundary=BOUNDARY):
    return f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def app():
    app = App()

    @app.post("/echo")
    def echo():
        forms = {name: request.forms.getall(name) for name in request.forms}
        files = {name: [{"filename": upload.filename, "raw_filename": upload.raw_filename,
                         "content_type": upload.content_type, "data": upload.file.read().decode("latin-1")}
                        for upload in request.files.getall(name)] for name in request.files}
        params = {name: request.params.getall(name) for name in request.params}
        post = sorted(request.POST)
        return {"forms": forms, "files": files, "params": params, "post": post}

    return app


@pytest.fixture
def client(app):
    return Client(app)


def post(client, body, ctype=None, **kwargs):
    return client.post("/echo", data=body, headers={"Content-Type": ctype or content_type()}, **kwargs)


# -- fields and files --------------------------------------------------------------------------
def test_text_fields_land_in_forms_as_strings(client):
    answer = post(client, encode(("title", "Hello"), ("body", "Wörld")))
    assert answer.json["forms"] == {"title": ["Hello"], "body": ["Wörld"]}


def test_repeated_fields_keep_every_value(client):
    answer = post(client, encode(("tag", "a"), ("tag", "b")))
    assert answer.json["forms"] == {"tag": ["a", "b"]}


def test_a_file_part_lands_in_files_as_a_file_upload(client):
    answer = post(client, encode(("doc", "notes.txt", b"line1\r\nline2", "text/plain")))
    assert answer.json["files"] == {"doc": [{"filename": "notes.txt", "raw_filename": "notes.txt",
                                             "content_type": "text/plain", "data": "line1\r\nline2"}]}
    assert answer.json["forms"] == {}


def test_post_holds_fields_and_files_and_params_holds_query_and_fields(client):
    body = encode(("title", "T"), ("doc", "a.bin", b"\x00\x01", "application/octet-stream"))
    answer = post(client, body, query={"page": "2"})
    assert answer.json["post"] == ["doc", "title"]
    assert answer.json["params"] == {"page": ["2"], "title": ["T"]}


def test_binary_content_with_crlf_and_dashes_survives_unchanged(client):
    data = bytes(range(256)) * 4 + b"\r\n--" + BOUNDARY[:-1].encode() + b"\r\n--"
    answer = post(client, encode(("blob", "b.bin", data, "application/octet-stream")))
    assert answer.json["files"]["blob"][0]["data"].encode("latin-1") == data


def test_an_empty_file_name_is_a_field_as_in_bottle(client):
    answer = post(client, encode(("doc", "", b"", "application/octet-stream")))
    assert answer.json["forms"] == {"doc": [""]}
    assert answer.json["files"] == {}


def test_preamble_and_epilogue_are_ignored(client):
    answer = post(client, encode(("a", "1"), preamble=b"ignore me\r\n", epilogue=b"and me"))
    assert answer.json["forms"] == {"a": ["1"]}


def test_a_quoted_boundary_parameter_is_understood(client):
    answer = post(client, encode(("a", "1")), ctype=f'multipart/form-data; boundary="{BOUNDARY}"')
    assert answer.json["forms"] == {"a": ["1"]}


def test_the_boundary_is_case_sensitive(client):
    body = encode(("a", "1"), boundary="AbC")
    assert post(client, body, ctype=content_type("AbC")).json["forms"] == {"a": ["1"]}
    assert post(client, body, ctype=content_type("abc")).status_code == 400


def test_a_rfc5987_filename_is_decoded_and_wins(client):
    body = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"fallback.txt\"; "
            f"filename*=UTF-8''%E2%82%AC%20rates.txt\r\n\r\nx\r\n--{BOUNDARY}--\r\n").encode()
    assert post(client, body).json["files"]["f"][0]["raw_filename"] == "€ rates.txt"


def test_a_raw_utf8_filename_is_decoded(client):
    answer = post(client, encode(("f", "Über.txt", b"x", "text/plain")))
    assert answer.json["files"]["f"][0]["raw_filename"] == "Über.txt"


def test_a_field_in_a_declared_charset_is_decoded_with_it(client):
    body = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"a\"\r\n"
            f"Content-Type: text/plain; charset=latin-1\r\n\r\n").encode() + "é".encode("latin-1") + \
        f"\r\n--{BOUNDARY}--\r\n".encode()
    assert post(client, body).json["forms"] == {"a": ["é"]}


@pytest.mark.parametrize("block_size", [1, 3, 17, 64, 4096])
def test_parsing_does_not_depend_on_where_blocks_split_the_body(block_size):
    body = encode(("a", "x" * 100), ("f", "f.bin", b"\r\n-" * 50, "application/octet-stream"), ("b", ""))
    parser = MultipartParser(io.BytesIO(body), BOUNDARY, block_size=block_size)
    parts = list(parser.parse())
    assert [name for name, _ in parts] == ["a", "f", "b"]
    assert parts[0][1] == "x" * 100
    assert parts[1][1].file.read() == b"\r\n-" * 50
    assert parts[2][1] == ""


field_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.", min_size=1,
                      max_size=8)


@settings(max_examples=100, deadline=None)
@given(fields=st.lists(st.tuples(field_names, st.text(max_size=40)), max_size=5),
       files=st.lists(st.tuples(field_names, st.binary(max_size=300)), max_size=3),
       block_size=st.integers(min_value=1, max_value=80))
def test_any_encoded_form_parses_back_to_its_fields_and_files(fields, files, block_size):
    parts = [*fields, *[(name, "f.bin", data, "application/octet-stream") for name, data in files]]
    parsed = list(MultipartParser(io.BytesIO(encode(*parts)), BOUNDARY, block_size=block_size).parse())
    assert [(name, value) for name, value in parsed[:len(fields)]] == fields
    assert [upload.file.read() for _, upload in parsed[len(fields):]] == [data for _, data in files]


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=400) | st.builds(
    lambda cut, junk: encode(("a", "1"), ("f", "x.txt", b"data", "text/plain"))[:cut] + junk,
    st.integers(min_value=0, max_value=200), st.binary(max_size=20)))
def test_arbitrary_bodies_are_parsed_or_refused_with_a_4xx_never_another_error(body):
    try:
        list(MultipartParser(io.BytesIO(body), BOUNDARY, block_size=16).parse())
    except HTTPError as refusal:
        assert 400 <= refusal.status_code < 500


def test_parse_options_header_unquotes_values_and_keeps_semicolons_in_quotes():
    assert parse_options_header('form-data; name="a;b"; filename="say \\"hi\\".txt"') == (
        "form-data", {"name": "a;b", "filename": 'say "hi".txt'})


# -- FileUpload ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "safe"), [
    ("report.pdf", "report.pdf"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\ann\\My Photo.jpg", "My-Photo.jpg"),
    ("Über Datei (1).txt", "Uber-Datei-1.txt"),
    ("..", "empty"),
    ("<script>.html", "script.html"),
    ("a" * 300 + ".txt", "a" * 255),
])
def test_filename_is_sanitised_for_use_on_disk(raw, safe):
    assert FileUpload(io.BytesIO(), "f", raw).filename == safe


def test_save_into_a_folder_uses_the_sanitised_filename(tmp_path):
    FileUpload(io.BytesIO(b"data"), "f", "../My File.txt").save(tmp_path)
    assert (tmp_path / "My-File.txt").read_bytes() == b"data"


def test_save_to_a_path_writes_there(tmp_path):
    FileUpload(io.BytesIO(b"data"), "f", "x.txt").save(str(tmp_path / "chosen.bin"))
    assert (tmp_path / "chosen.bin").read_bytes() == b"data"


def test_save_refuses_to_overwrite_an_existing_file(tmp_path):
    (tmp_path / "x.txt").write_bytes(b"old")
    with pytest.raises(UploadExistsError, match="overwrite=True") as caught:
        FileUpload(io.BytesIO(b"new"), "f", "x.txt").save(tmp_path)
    assert isinstance(caught.value, BottleException) and isinstance(caught.value, FileExistsError)
    assert (tmp_path / "x.txt").read_bytes() == b"old"


def test_save_with_overwrite_replaces_the_file(tmp_path):
    (tmp_path / "x.txt").write_bytes(b"old")
    FileUpload(io.BytesIO(b"new"), "f", "x.txt").save(tmp_path, overwrite=True)
    assert (tmp_path / "x.txt").read_bytes() == b"new"


def test_save_into_an_open_file_copies_and_leaves_the_upload_readable():
    upload, target = FileUpload(io.BytesIO(b"data"), "f", "x.txt"), io.BytesIO()
    upload.save(target)
    upload.save(target)
    assert target.getvalue() == b"datadata"


def test_a_large_file_part_is_spooled_to_a_temporary_file():
    body = encode(("f", "big.bin", b"z" * 300_000, "application/octet-stream"))
    (_, upload), = MultipartParser(io.BytesIO(body), BOUNDARY, memfile_limit=100_000).parse()
    assert not isinstance(upload.file, io.BytesIO)
    assert upload.file.read() == b"z" * 300_000


def test_a_small_file_part_stays_in_memory():
    body = encode(("f", "small.bin", b"z" * 100, "application/octet-stream"))
    (_, upload), = MultipartParser(io.BytesIO(body), BOUNDARY).parse()
    assert isinstance(upload.file, io.BytesIO)


def test_a_20_mb_upload_is_parsed_with_peak_memory_far_below_its_size():
    size = 20 * 1024 * 1024
    body = encode(("title", "big"), ("f", "big.bin", b"\xa5" * size, "application/octet-stream"))
    environ = {"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": content_type()}
    app = App()
    app.config["request.max_body"] = 64 * 1024 * 1024
    seen = {}

    @app.post("/upload")
    def upload():
        seen["size"] = request.files.f.file.seek(0, io.SEEK_END)
        return request.forms.title

    tracemalloc.start()
    try:
        answer = Client(app).post("/upload", environ=environ)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"20 MB upload: peak traced allocation {peak / 1024:.0f} KiB")
    assert answer.text == "big"
    assert seen["size"] == size
    assert peak < 2 * 1024 * 1024  # a tenth of the file; the parser holds about one 64 KiB block


# -- limits ------------------------------------------------------------------------------------------
def test_more_parts_than_the_limit_is_413(app, client):
    app.config["request.multipart.max_parts"] = 3
    answer = post(client, encode(*[("a", "1")] * 4))
    assert answer.status_code == 413
    assert "max_parts" in answer.text


def test_part_headers_over_the_limit_are_413(app, client):
    app.config["request.multipart.max_header_size"] = 200
    answer = post(client, encode(("a" * 300, "1")))
    assert answer.status_code == 413
    assert "max_header_size" in answer.text


def test_text_fields_over_the_memory_limit_are_413(app, client):
    app.config["request.max_memory"] = 1000
    answer = post(client, encode(("a", "x" * 600), ("b", "y" * 600)))
    assert answer.status_code == 413
    assert "max_memory" in answer.text


def test_a_file_is_not_counted_against_the_field_memory_limit(app, client):
    app.config["request.max_memory"] = 1000
    answer = post(client, encode(("f", "f.bin", b"x" * 5000, "application/octet-stream")))
    assert answer.status_code == 200


def test_a_body_over_max_body_is_413(app, client):
    app.config["request.max_body"] = 1000
    assert post(client, encode(("f", "f.bin", b"x" * 5000, "application/octet-stream"))).status_code == 413


# -- malformed bodies ----------------------------------------------------------------------------------
def test_a_missing_boundary_is_400(client):
    answer = post(client, encode(("a", "1")), ctype="multipart/form-data")
    assert answer.status_code == 400
    assert "no boundary" in answer.text


def test_an_invalid_boundary_is_400(client):
    assert post(client, b"", ctype="multipart/form-data; boundary=" + "x" * 71).status_code == 400


def test_a_body_without_the_boundary_is_400(client):
    answer = post(client, b"just some text")
    assert answer.status_code == 400
    assert "never appears" in answer.text


def test_a_truncated_part_is_400(client):
    body = encode(("f", "f.bin", b"x" * 1000, "application/octet-stream"))
    answer = post(client, body[:600])
    assert answer.status_code == 400
    assert "cut short" in answer.text


def test_a_body_cut_inside_part_headers_is_400(client):
    body = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a"'.encode()
    assert post(client, body).status_code == 400


def test_a_body_without_the_closing_delimiter_is_400(client):
    body = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--{BOUNDARY}'.encode()
    answer = post(client, body)
    assert answer.status_code == 400
    assert "closing boundary" in answer.text


def test_a_part_header_without_a_colon_is_400(client):
    body = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"a\"\r\nNoColonHere\r\n\r\n1\r\n"
            f"--{BOUNDARY}--\r\n").encode()
    answer = post(client, body)
    assert answer.status_code == 400
    assert "NoColonHere" in answer.text


def test_a_part_header_with_a_bare_line_feed_is_400(client):
    body = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"a\"\nX-Other: 1\r\n\r\n1\r\n"
            f"--{BOUNDARY}--\r\n").encode()
    answer = post(client, body)
    assert answer.status_code == 400
    assert "CRLF" in answer.text


def test_a_body_with_lf_only_line_endings_is_400_mentioning_crlf(client):
    answer = post(client, encode(("a", "1")).replace(b"\r\n", b"\n"))
    assert answer.status_code == 400
    assert "CRLF" in answer.text


def test_a_part_without_content_disposition_is_400(client):
    body = f"--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\n1\r\n--{BOUNDARY}--\r\n".encode()
    assert post(client, body).status_code == 400


def test_a_part_without_a_name_is_400(client):
    body = f"--{BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\n1\r\n--{BOUNDARY}--\r\n".encode()
    answer = post(client, body)
    assert answer.status_code == 400
    assert "no name" in answer.text


def test_garbage_after_a_boundary_is_400(client):
    body = f"--{BOUNDARY}garbage\r\n\r\n--{BOUNDARY}--\r\n".encode()
    assert post(client, body).status_code == 400


def test_a_field_that_is_not_valid_utf8_is_400(client):
    body = encode(("a", b"\xff\xfe"))
    answer = post(client, body)
    assert answer.status_code == 400
    assert "not valid utf-8" in answer.text


def test_a_field_with_an_unknown_charset_is_400(client):
    body = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"a\"\r\n"
            f"Content-Type: text/plain; charset=no-such-charset\r\n\r\n1\r\n--{BOUNDARY}--\r\n").encode()
    assert post(client, body).status_code == 400


def test_a_multipart_type_other_than_form_data_is_415(client):
    assert post(client, encode(("a", "1")), ctype=f"multipart/mixed; boundary={BOUNDARY}").status_code == 415


def test_a_body_shorter_than_its_content_length_is_400(client):
    body = encode(("a", "1"))
    answer = client.post("/echo", data=body, headers={"Content-Type": content_type()},
                         environ={"CONTENT_LENGTH": str(len(body) + 100)})
    assert answer.status_code == 400


def test_an_urlencoded_body_has_fields_but_no_files(client):
    answer = client.post("/echo", data={"a": "1"})
    assert answer.json["forms"] == {"a": ["1"]}
    assert answer.json["files"] == {}


# -- the parser alone: a stream, a content type and limits in, fields and files out -----------------
def test_parse_multipart_needs_no_request():
    body = encode(("title", "Hello"), ("doc", "a.txt", b"data", "text/plain"))
    forms = parse_multipart(io.BytesIO(body), content_type(), MultipartLimits())
    assert forms["title"] == "Hello" and forms["doc"].file.read() == b"data"


def test_parse_multipart_applies_the_limits_it_is_given():
    body = encode(("a", "1"), ("b", "2"))
    with pytest.raises(HTTPError) as raised:
        parse_multipart(io.BytesIO(body), content_type(), MultipartLimits(max_parts=1))
    assert raised.value.status_code == 413 and "more than 1 parts" in raised.value.body


def test_multipart_limits_read_from_a_settings_lookup():
    settings_seen = {}

    def setting(key, default):
        settings_seen[key] = default
        return {"request.multipart.max_parts": 7}.get(key, default)

    limits = MultipartLimits.from_settings(setting, max_memory=5)
    assert (limits.max_parts, limits.max_memory) == (7, 5)
    assert set(settings_seen) == {"request.multipart.max_parts", "request.multipart.max_header_size",
                                  "request.max_memory", "request.multipart.memfile_limit"}


def _part_with_length(declared: str, content: bytes) -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n"
            f"Content-Length: {declared}\r\n\r\n").encode() + content + f"\r\n--{BOUNDARY}--\r\n".encode()


def test_a_part_longer_than_its_content_length_is_a_400():
    body = _part_with_length("3", b"abcdef")
    with pytest.raises(HTTPError) as raised:
        parse_multipart(io.BytesIO(body), f"multipart/form-data; boundary={BOUNDARY}")
    assert raised.value.status_code == 400
    assert "longer than its Content-Length of 3 bytes" in raised.value.body


def test_a_part_content_length_that_is_not_ascii_digits_is_ignored():
    body = _part_with_length("\u00b2", b"abcdef")  # '²' is a digit to str.isdigit(), but not to int()
    forms = parse_multipart(io.BytesIO(body), f"multipart/form-data; boundary={BOUNDARY}")
    assert forms["f"].file.read() == b"abcdef"
