"""A demo that never dead-ends: error pages of the app, forms that come back with what was typed,
the public page's signed-in state and wording, the API page and the favicon."""

from __future__ import annotations

import io
import json

import pytest
from conftest import csrf, signed_up, visible_text

from demijohn.testing import Client

ORIGIN = "http://localhost"


def assert_app_page(answer, status: int, *words: str) -> None:
    """The answer is a page of the app (layout, navigation, a way back) with ``words`` in it."""
    assert answer.status_code == status
    assert answer.headers["Content-Type"].startswith("text/html")
    text = answer.text
    assert '<a class="brand" href="/">Notes</a>' in text and 'href="/api"' in text and 'id="home"' in text
    for word in words:
        assert word in visible_text(text), word


# -- error pages -------------------------------------------------------------------------------

def test_an_unknown_page_is_a_404_page_of_the_app(app):
    assert_app_page(Client(app).get("/no/such/page"), 404, "Error 404", "Not Found", "Go to the start page")


def test_a_signed_in_visitor_sees_their_state_and_their_notes_as_the_way_back(app):
    answer = signed_up(app, "ann").get("/no/such/page")
    assert_app_page(answer, 404, "Signed in as ann", "Go to your notes")
    assert 'id="logout"' in answer.text


def test_another_users_note_is_a_404_page_of_the_app(app):
    ann, bob = signed_up(app, "ann"), signed_up(app, "bob")
    note = ann.post("/api/notes", json={"title": "mine"}).json
    assert_app_page(bob.get(f"/notes/{note['id']}/edit"), 404, f"There is no note {note['id']} among your notes")


def test_a_wrong_method_is_a_405_page_of_the_app_that_says_what_is_allowed(app):
    answer = Client(app).get("/logout")
    assert_app_page(answer, 405, "Method Not Allowed")
    assert answer.headers["Allow"] == "POST"


def test_a_forged_form_post_is_a_403_page_of_the_app(app):
    answer = signed_up(app, "ann").post("/notes", data={"csrf": "forged", "title": "x"})
    assert_app_page(answer, 403, "Forbidden", "The form has expired or was not sent by this site")


def test_a_malformed_form_body_is_a_400_page_of_the_app(app):
    answer = Client(app).post("/login", data=b"garbage", headers={"Content-Type": "multipart/form-data"})
    assert_app_page(answer, 400, "Error 400", "Bad Request")


def test_an_internal_error_is_a_500_page_of_the_app_that_shows_nothing_internal(app):
    @app.get("/crash")
    def crash():
        raise RuntimeError("database password is hunter2")

    answer = Client(app).get("/crash")
    assert_app_page(answer, 500, "Internal Server Error", "Something went wrong on our side")
    assert "hunter2" not in answer.text and "RuntimeError" not in answer.text and "Traceback" not in answer.text


def test_in_debug_mode_an_internal_error_shows_the_frameworks_debug_page(app, monkeypatch):
    monkeypatch.setattr(type(app), "debug_mode", True)

    @app.get("/crash")
    def crash():
        raise RuntimeError("look here")

    assert "look here" in Client(app).get("/crash").text


def test_the_back_link_leads_to_the_previous_page_of_this_site_only(app):
    client = Client(app)
    here = client.get("/nowhere", headers={"Referer": f"{ORIGIN}/public?x=1"})
    assert '<a href="/public?x=1" id="back">' in here.text
    for referrer in ("https://evil.example/public", f"{ORIGIN}//evil.example/x", f"{ORIGIN}/\\evil.example", "junk",
                     f"{ORIGIN}/nowhere"):
        assert 'id="back"' not in client.get("/nowhere", headers={"Referer": referrer}).text, referrer


@pytest.mark.parametrize("method, path, status", [("GET", "/api/nothing", 404), ("PATCH", "/api/notes", 405),
                                                  ("GET", "/api/notes", 401)])
def test_api_errors_stay_problem_json(app, method, path, status):
    answer = Client(app).request(method, path)
    assert answer.status_code == status
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert json.loads(answer.body)["status"] == status


def test_api_validation_errors_keep_their_list_of_violations(app):
    answer = signed_up(app, "ann").post("/api/notes", json={"title": ""})
    assert answer.status_code == 422 and answer.json["errors"][0]["pointer"] == "#/title"


# -- forms that come back with what was typed ---------------------------------------------------

def field_error(html: str, name: str) -> str:
    """The message shown beside field ``name`` (and linked to it for screen readers)."""
    assert f'aria-describedby="{name}-error"' in html, f"field {name} is not marked invalid"
    start = html.index(f'id="{name}-error">') + len(f'id="{name}-error">')
    return html[start:html.index("</p>", start)]


def test_a_taken_user_name_comes_back_with_the_name_and_the_message_beside_it(app):
    signed_up(app, "carol")
    client = Client(app)
    answer = client.post("/signup", data={"csrf": csrf(client.get("/signup").text), "username": "Carol",
                                          "password": "another-password"})
    assert answer.status_code == 409
    assert 'value="carol"' in answer.text
    assert field_error(answer.text, "username") == "The name carol is taken; choose another."
    assert "another-password" not in answer.text  # a password is never sent back


def test_a_short_password_is_refused_beside_the_password_field(app):
    client = Client(app)
    answer = client.post("/signup", data={"csrf": csrf(client.get("/signup").text), "username": "dan",
                                          "password": "short"})
    assert answer.status_code == 400 and 'value="dan"' in answer.text
    assert "8 to 1,024 characters" in field_error(answer.text, "password")


def test_a_note_without_a_title_comes_back_with_its_text(app):
    client = signed_up(app, "ann")
    token = csrf(client.get("/notes").text)
    answer = client.post("/notes", data={"csrf": token, "title": "   ", "body": "my long text <b>kept</b>"})
    assert answer.status_code == 400
    assert "my long text &lt;b&gt;kept&lt;/b&gt;</textarea>" in answer.text
    assert "needs a title" in field_error(answer.text, "title")
    assert client.get("/api/notes").json == {"notes": []}


def test_an_edit_with_too_long_a_text_comes_back_with_what_was_typed(app):
    client = signed_up(app, "ann")
    note = client.post("/api/notes", json={"title": "t"}).json
    token = csrf(client.get("/notes").text)
    answer = client.post(f"/notes/{note['id']}", data={"csrf": token, "title": "new title", "body": "x" * 10_001})
    assert answer.status_code == 400 and 'value="new title"' in answer.text
    assert "10,000 characters; this one has 10,001" in field_error(answer.text, "body")
    assert client.get(f"/api/notes/{note['id']}").json["title"] == "t"


def test_a_wrong_password_keeps_the_user_name(app):
    client = Client(app)
    answer = client.post("/login", data={"csrf": csrf(client.get("/login").text), "username": "ann",
                                         "password": "wrong"})
    assert answer.status_code == 401 and 'value="ann"' in answer.text


# -- the public page, the API page, the favicon --------------------------------------------------

def test_the_public_page_says_1_person_and_1_note(app):
    client = signed_up(app, "ann")
    client.post("/api/notes", json={"title": "one"})
    app.config["notes.cache"].invalidate(tags=["public"])
    assert "1 person keeps 1 note here." in visible_text(Client(app).get("/public").text)


def test_the_public_page_says_people_and_notes_in_the_plural(app):
    for name in ("ann", "bob"):
        signed_up(app, name).post("/api/notes", json={"title": "one"})
    assert "2 people keep 2 notes here." in visible_text(Client(app).get("/public").text)


def test_the_public_page_shows_who_is_signed_in(app):
    ann = signed_up(app, "ann")
    signed_in = ann.get("/public")
    assert "Signed in as ann" in visible_text(signed_in.text) and 'id="logout"' in signed_in.text
    anonymous = Client(app).get("/public")
    assert "ann" not in anonymous.text and 'href="/login"' in anonymous.text


def test_the_api_link_opens_a_page_that_explains_the_api(app):
    answer = Client(app).get("/")
    page = Client(app).get("/api")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    text = visible_text(page.text)
    for operation in ("GET /api/notes List", "POST /api/notes Create a note", "DELETE /api/notes/{note_id}"):
        assert operation in text
    assert 'href="/docs"' in page.text and 'href="/openapi.json"' in page.text and "log in" in text
    assert answer.status_code == 303  # the start page still sends visitors to log in


def test_the_openapi_document_describes_only_the_json_api(app):
    paths = Client(app).get("/openapi.json").json["paths"]
    assert set(paths) == {"/api/notes", "/api/notes/{note_id}"}


def test_the_docs_page_is_mounted(app):
    answer = Client(app).get("/docs")
    assert answer.status_code == 200 and 'data-openapi-url="/openapi.json"' in answer.text


def test_the_favicon_is_an_icon(app):
    from PIL import Image

    answer = Client(app).get("/favicon.ico")
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "image/x-icon"
    with Image.open(io.BytesIO(answer.body)) as icon:
        assert icon.format == "ICO" and icon.size[0] >= 16
    assert '<link rel="icon" href="/static/favicon.svg"' in Client(app).get("/login").text
    assert Client(app).get("/static/favicon.svg").headers["Content-Type"].startswith("image/svg+xml")


def test_a_session_store_outage_is_a_503_page_of_the_app(services_settings):
    import redis
    from demijohn_session import SessionPlugin
    from redis.backoff import NoBackoff
    from redis.retry import Retry
    from notes import create_app

    app = create_app(services_settings)
    try:
        client = signed_up(app, "ann")
        [plugin] = [plugin for plugin in app.plugins if isinstance(plugin, SessionPlugin)]
        # Redis gone for the session store: a client of a port where nothing listens, without retries.
        plugin.backend.client = redis.Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0))
        answer = client.get("/notes")
        assert_app_page(answer, 503, "Service Unavailable", "The session store is unavailable")
        assert answer.headers["Retry-After"] == "1"
        public = client.get("/public")  # the public page needs no session: shown signed out
        assert public.status_code == 200 and 'href="/login"' in public.text
    finally:
        app.close()
