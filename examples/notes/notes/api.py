"""The JSON API under ``/api/notes``, validated by JSON Schema, and the page that explains it.

The API authenticates with the same session cookie as the pages: sign in on the site, then the
browser (or a client that keeps cookies) may call it. A page on another site cannot call it for
a signed-in visitor: every write needs a JSON body, which a cross-site form cannot send (415),
and the session cookie is ``SameSite=Lax``.
"""

from __future__ import annotations

from typing import Any

from demijohn import App, HTTPError, response
from demijohn_jsonschema import openapi
from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import PROBLEM_JSON, problem_body
from .models import Note
from .rendering import Renderer

NOTE_IN = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "body": {"type": "string", "maxLength": 10000},
    },
    "required": ["title"],
    "additionalProperties": False,
}
NOTE_OUT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "body": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
    "required": ["id", "title", "body", "created_at", "updated_at"],
}
NOTE_LIST = {"type": "object", "properties": {"notes": {"type": "array", "items": NOTE_OUT}}, "required": ["notes"]}
API_INFO = {"title": "Notes API", "version": "1.0.0",
            "description": "The notes of the signed-in user. Sign in on the site first: the API uses its session cookie."}


def problem(status: int, detail: str) -> HTTPError:
    """An RFC 9457 ``application/problem+json`` error for the JSON API."""
    error = HTTPError(status, problem_body(status, detail))
    error.set_header("Content-Type", PROBLEM_JSON)
    return error


def api_user_id(session: Any) -> int:
    """The signed-in user's id, or a 401 problem saying how to sign in."""
    user_id = session.get("user_id")
    if user_id is None:
        raise problem(401, "Sign in first: log in on the site (/login); the API uses the same session cookie.")
    return int(user_id)


def api_note(db: Session, note_id: int, user_id: int) -> Note:
    """The user's note ``note_id``, or a 404 problem (never another user's note)."""
    note = db.get(Note, note_id)
    if note is None or note.owner_id != user_id:
        raise problem(404, f"No note {note_id} of yours.")
    return note


def add_api(app: App, render: Renderer, docs_path: str) -> None:
    """Add the JSON API and its explanation page ``/api``."""

    @app.get("/api", openapi=False)
    def api_page() -> str:
        """What the API offers and how to call it, with a link to the interactive docs."""
        document = openapi(app, **API_INFO)
        operations = [(method.upper(), path, operation.get("summary", ""))
                      for path, item in document["paths"].items() for method, operation in item.items()]
        return render("api.html", operations=operations, docs_path=docs_path)

    @app.get("/api/notes", response_schema=NOTE_LIST)
    def api_list(session: Any, db: Session) -> dict[str, Any]:
        """List the signed-in user's notes."""
        rows = db.scalars(select(Note).where(Note.owner_id == api_user_id(session)).order_by(Note.id))
        return {"notes": [note.as_dict() for note in rows]}

    @app.post("/api/notes", schema=NOTE_IN, response_schema=NOTE_OUT)
    def api_create(session: Any, db: Session, body: dict[str, Any]) -> dict[str, Any]:
        """Create a note."""
        note = Note(owner_id=api_user_id(session), title=body["title"], body=body.get("body", ""))
        db.add(note)
        db.flush()
        response.status = 201
        return note.as_dict()

    @app.get("/api/notes/<note_id:int>", response_schema=NOTE_OUT)
    def api_get(session: Any, db: Session, note_id: int) -> dict[str, Any]:
        """Fetch one note."""
        return api_note(db, note_id, api_user_id(session)).as_dict()

    @app.put("/api/notes/<note_id:int>", schema=NOTE_IN, response_schema=NOTE_OUT)
    def api_update(session: Any, db: Session, note_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """Replace a note's title and text."""
        note = api_note(db, note_id, api_user_id(session))
        note.title, note.body = body["title"], body.get("body", "")
        db.flush()
        return note.as_dict()

    @app.delete("/api/notes/<note_id:int>")
    def api_delete(session: Any, db: Session, note_id: int) -> None:
        """Delete a note."""
        db.delete(api_note(db, note_id, api_user_id(session)))
        response.status = 204
