"""The notes app end to end through the test client, on embedded defaults and on
PostgreSQL + Redis."""

from __future__ import annotations

import json

from conftest import csrf, signed_up, visible_text

from demijohn.testing import Client


def test_visitors_are_sent_to_the_login_page(app):
    answer = Client(app).get("/")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/login")


def test_sign_up_logs_in_and_shows_an_empty_list(app):
    client = signed_up(app)
    page = client.get("/notes")
    assert page.status_code == 200
    assert "Signed in as <strong>ann</strong>" in page.text
    assert "No notes yet" in page.text


def test_create_edit_and_delete_a_note(app):
    client = signed_up(app)
    token = csrf(client.get("/notes").text)
    assert client.post("/notes", data={"csrf": token, "title": "Shopping", "body": "milk"}).status_code == 303
    note = client.get("/api/notes").json["notes"][0]
    assert (note["title"], note["body"]) == ("Shopping", "milk")
    edit = client.get(f"/notes/{note['id']}/edit")
    assert 'value="Shopping"' in edit.text
    client.post(f"/notes/{note['id']}", data={"csrf": token, "title": "Shopping list", "body": "milk, eggs"})
    assert "Shopping list" in client.get("/notes").text
    client.post(f"/notes/{note['id']}/delete", data={"csrf": token})
    assert client.get("/api/notes").json == {"notes": []}


def test_log_in_with_the_right_password_only(app):
    signed_up(app, "bob", "s3cret-password")
    client = Client(app)
    token = csrf(client.get("/login").text)
    wrong = client.post("/login", data={"csrf": token, "username": "bob", "password": "nope"})
    assert wrong.status_code == 401
    assert "Wrong user name or password" in wrong.text
    token = csrf(wrong.text)
    right = client.post("/login", data={"csrf": token, "username": "bob", "password": "s3cret-password"})
    assert right.status_code == 303


def test_log_out_ends_the_session(app):
    client = signed_up(app)
    token = csrf(client.get("/notes").text)
    assert client.post("/logout", data={"csrf": token}).headers["Location"].endswith("/login")
    assert client.get("/notes").headers["Location"].endswith("/login")


def test_a_form_post_without_the_csrf_token_is_403(app):
    client = signed_up(app)
    answer = client.post("/notes", data={"title": "forged"})
    assert answer.status_code == 403
    assert client.get("/api/notes").json == {"notes": []}


def test_users_never_see_each_others_notes(app):
    ann, bob = signed_up(app, "ann"), signed_up(app, "bob")
    note = ann.post("/api/notes", json={"title": "ann's secret"}).json
    assert bob.get(f"/api/notes/{note['id']}").status_code == 404
    assert bob.get(f"/notes/{note['id']}/edit").status_code == 404
    assert bob.get("/api/notes").json == {"notes": []}


def test_api_validates_bodies_with_problem_json(app):
    client = signed_up(app)
    answer = client.post("/api/notes", json={"title": "", "extra": 1})
    assert answer.status_code == 422
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert len(answer.json["errors"]) == 2


def test_api_crud(app):
    client = signed_up(app)
    created = client.post("/api/notes", json={"title": "t", "body": "b"})
    assert created.status_code == 201
    note_id = created.json["id"]
    updated = client.put(f"/api/notes/{note_id}", json={"title": "t2"})
    assert updated.json["title"] == "t2"
    assert client.delete(f"/api/notes/{note_id}").status_code == 204
    assert client.get(f"/api/notes/{note_id}").status_code == 404


def test_api_needs_a_session(app):
    answer = Client(app).get("/api/notes")
    assert answer.status_code == 401
    assert json.loads(answer.body)["status"] == 401


def test_openapi_document_lists_the_api(app):
    document = Client(app).get("/openapi.json").json
    assert document["openapi"].startswith("3.1")
    assert {"get", "post"} <= set(document["paths"]["/api/notes"])


def test_public_page_numbers_are_cached_and_the_page_sets_no_cookie(app):
    client = Client(app)
    first = client.get("/public")
    assert "0 people keep 0 notes" in visible_text(first.text)
    assert first.headers.getall("Set-Cookie") == []
    signed_up(app, "dora")
    assert "0 people keep" in visible_text(client.get("/public").text)  # still the cached count
    app.config["notes.cache"].invalidate(tags=["public"])
    assert "1 person keeps 0 notes" in visible_text(client.get("/public").text)


def test_static_files_are_served_and_traversal_refused(app):
    client = Client(app)
    assert client.get("/static/style.css").headers["Content-Type"].startswith("text/css")
    assert client.get("/static/../web.py").status_code in (403, 404)
