"""The HTML pages of the notes: the list, the add and edit forms, the public page, static files."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from demijohn import App, HTTPError, redirect, request, static_file
from demijohn_cache import CachePlugin
from demijohn_sqlalchemy import SQLAlchemyPlugin
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .csrf import CSRF
from .models import Note, User
from .rendering import HERE, Renderer

MAX_TITLE, MAX_BODY = 200, 10_000
PUBLIC_TTL = 30  # seconds the public page's numbers are kept before they are counted again


def current_user_id(session: Any) -> int:
    """The signed-in user's id; otherwise a redirect to the login page."""
    user_id = session.get("user_id")
    if user_id is None:
        redirect("/login")
    return int(user_id)


def own_note(db: Session, note_id: int, user_id: int) -> Note:
    """The note ``note_id`` if it belongs to the user, else a 404 (never another user's note)."""
    note = db.get(Note, note_id)
    if note is None or note.owner_id != user_id:
        raise HTTPError(404, f"There is no note {note_id} among your notes.")
    return note


def note_form() -> tuple[dict[str, str], dict[str, str]]:
    """The title and text of a posted note form, and a message per field that is not acceptable."""
    values = {"title": request.forms.get("title", "").strip(), "body": request.forms.get("body", "")}
    errors = {}
    if not 1 <= len(values["title"]) <= MAX_TITLE:
        errors["title"] = f"A note needs a title of 1 to {MAX_TITLE} characters (not only spaces)."
    if len(values["body"]) > MAX_BODY:
        errors["body"] = f"A note's text is limited to {MAX_BODY:,} characters; this one has {len(values['body']):,}."
    return values, errors


def add_note_pages(app: App, render: Renderer, csrf: CSRF) -> None:
    """Add the start page, the list of notes and the forms that change it."""

    def notes_page(db: Session, user_id: int, status: int = 200, **form: Any) -> str:
        rows = db.scalars(select(Note).where(Note.owner_id == user_id).order_by(Note.updated_at.desc(), Note.id.desc()))
        return render("notes.html", status, notes=list(rows), **form)

    @app.get("/")
    def index(session: Any) -> None:
        """Send visitors to their notes, or to the login page."""
        redirect("/notes" if session.get("user_id") else "/login")

    @app.get("/notes")
    def notes(session: Any, db: Session) -> str:
        """The signed-in user's notes, newest first, and a form for a new one."""
        return notes_page(db, current_user_id(session))

    @app.post("/notes")
    def create_note(session: Any, db: Session) -> str:
        """Add a note from the form; a rejected one comes back with what was typed."""
        user_id = current_user_id(session)
        csrf.check(session)
        values, errors = note_form()
        if errors:
            return notes_page(db, user_id, 400, values=values, errors=errors)
        db.add(Note(owner_id=user_id, title=values["title"], body=values["body"]))
        redirect("/notes")

    @app.get("/notes/<note_id:int>/edit")
    def edit_form(session: Any, db: Session, note_id: int) -> str:
        """The edit form of one note."""
        note = own_note(db, note_id, current_user_id(session))
        return render("edit.html", note=note, values={"title": note.title, "body": note.body})

    @app.post("/notes/<note_id:int>")
    def update_note(session: Any, db: Session, note_id: int) -> str:
        """Save an edited note; a rejected edit comes back with what was typed."""
        note = own_note(db, note_id, current_user_id(session))
        csrf.check(session)
        values, errors = note_form()
        if errors:
            return render("edit.html", 400, note=note, values=values, errors=errors)
        note.title, note.body = values["title"], values["body"]
        redirect("/notes")

    @app.post("/notes/<note_id:int>/delete")
    def delete_note(session: Any, db: Session, note_id: int) -> None:
        """Delete a note."""
        note = own_note(db, note_id, current_user_id(session))
        csrf.check(session)
        db.delete(note)
        redirect("/notes")


def add_public_pages(app: App, render: Renderer, cache: CachePlugin, database: SQLAlchemyPlugin) -> None:
    """Add the public page, the static files and the favicon."""

    @cache.memoize(ttl=PUBLIC_TTL, tags=["public"])
    def public_numbers() -> dict[str, Any]:
        """How many people keep how many notes; counted at most once per ``PUBLIC_TTL`` seconds."""
        with database.session() as db:
            return {"people": db.scalar(select(func.count(User.id))) or 0,
                    "notes": db.scalar(select(func.count(Note.id))) or 0,
                    "counted_at": datetime.now(timezone.utc).strftime("%H:%M:%S UTC")}

    # The numbers are the same for everyone and cached; the page around them shows who is signed
    # in, so it is rendered per request. When the session store is down it shows the page signed out.
    @app.get("/public", session={"required": False})
    def public() -> str:
        """A public page: how many people keep how many notes."""
        return render("public.html", ttl=PUBLIC_TTL, **public_numbers())

    @app.get("/static/<path:path>", session=False)
    def static(path: str) -> Any:
        """Stylesheet and icons."""
        return static_file(path, root=HERE / "static")

    @app.get("/favicon.ico", session=False)
    def favicon() -> Any:
        """The icon browsers ask for on their own."""
        return static_file("favicon.ico", root=HERE / "static", mimetype="image/x-icon")
