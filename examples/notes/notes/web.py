"""The routes of the notes app: HTML pages, the JSON API and the public page."""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from demijohn import HTTP_CODES, App, HTTPError, redirect, request, response, static_file, template
from demijohn_cache import CachePlugin
from demijohn_cache import MemoryBackend as MemoryCache
from demijohn_cache import RedisBackend as RedisCache
from demijohn_jsonschema import JSONSchemaPlugin, OpenAPIPlugin
from demijohn_session import CookieBackend, SessionPlugin
from demijohn_session import RedisBackend as RedisSessions
from demijohn_sqlalchemy import SQLAlchemyPlugin
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Base, Note, User
from .passwords import hash_password, verify_password
from .settings import Settings

HERE = Path(__file__).parent
VIEWS = [str(HERE / "views")]
USERNAME = re.compile(r"^[a-z0-9_]{3,32}$")

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


def render(name: str, status: int = 200, **variables: Any) -> str:
    """Render a page of ``views/`` with the CSRF token and the signed-in user at hand."""
    response.status = status
    session = request.session
    return template(name, template_lookup=VIEWS, csrf_token=csrf_token(session),
                    username=session.get("username"), **variables)


def csrf_token(session: Any) -> str:
    """The session's token for HTML forms (made on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(16)
    return str(session["csrf"])


def check_csrf(session: Any) -> None:
    """Refuse a form post whose token does not match the session's (cross-site forgery)."""
    sent = request.forms.get("csrf", "")
    if not sent or not secrets.compare_digest(sent, str(session.get("csrf", ""))):
        raise HTTPError(403, "The form has expired or was not sent by this site; reload the page and try again.")


def problem(status: int, detail: str) -> HTTPError:
    """An RFC 9457 ``application/problem+json`` error for the JSON API."""
    error = HTTPError(status, json.dumps({"type": "about:blank", "title": HTTP_CODES.get(status, "Error"),
                                          "status": status, "detail": detail}))
    error.set_header("Content-Type", "application/problem+json")
    return error


def current_user_id(session: Any, api: bool = False) -> int:
    """The signed-in user's id; otherwise a redirect to the login page (or a 401 for the API)."""
    user_id = session.get("user_id")
    if user_id is None:
        if api:
            raise problem(401, "Sign in first: POST /login with a user name and password.")
        redirect("/login")
    return int(user_id)


def own_note(db: Session, note_id: int, user_id: int, api: bool = False) -> Note:
    """The note ``note_id`` if it belongs to the user, else a 404 (never another user's note)."""
    note = db.get(Note, note_id)
    if note is None or note.owner_id != user_id:
        if api:
            raise problem(404, f"No note {note_id} of yours.")
        raise HTTPError(404, f"No note {note_id} of yours.")
    return note


def create_app(settings: Settings) -> App:
    """Build the notes app for ``settings``."""
    app = App()
    if settings.redis_url:
        sessions: Any = RedisSessions(settings.redis_url, prefix=f"{settings.redis_prefix}session:",
                                      secret_or_secrets=settings.secret)
        pages: Any = RedisCache(settings.redis_url, prefix=f"{settings.redis_prefix}cache:")
    else:
        sessions, pages = CookieBackend(settings.secret), MemoryCache(max_entries=1000)
    # The first installed plugin is the outermost: the session wraps everything, the
    # database session wraps validation, so a response that fails its schema is rolled back.
    app.install(SessionPlugin(sessions))
    cache = app.install(CachePlugin(pages, ttl=30))
    database = app.install(SQLAlchemyPlugin(settings.database_url, metadata=Base.metadata, create=True))
    app.install(JSONSchemaPlugin())
    app.install(OpenAPIPlugin(title="Notes API", version="1.0.0"))
    app.config["notes.scrypt_n"] = settings.scrypt_n
    app.config["notes.cache"] = cache
    app.config["notes.database"] = database
    _add_pages(app)
    _add_api(app)
    return app


def _add_pages(app: App) -> None:
    @app.get("/static/<path:path>", session=False)
    def static(path: str) -> Any:
        """Stylesheet and images."""
        return static_file(path, root=HERE / "static")

    @app.get("/")
    def index(session: Any) -> None:
        """Send visitors to their notes, or to the login page."""
        redirect("/notes" if session.get("user_id") else "/login")

    @app.get("/signup")
    def signup_form() -> str:
        """The sign-up form."""
        return render("signup.html", error=None)

    @app.post("/signup")
    def signup(session: Any, db: Session) -> str:
        """Create an account and sign in."""
        check_csrf(session)
        username = request.forms.get("username", "").strip().lower()
        password = request.forms.get("password", "")
        if not USERNAME.match(username):
            return render("signup.html", 400, error="Use 3 to 32 letters, digits or underscores as user name.")
        if len(password) < 8:
            return render("signup.html", 400, error="Use a password of at least 8 characters.")
        if db.scalar(select(User.id).where(User.username == username)) is not None:
            return render("signup.html", 409, error=f"The name {username!r} is taken; choose another.")
        user = User(username=username, password_hash=hash_password(password, n=app.config["notes.scrypt_n"]))
        db.add(user)
        db.flush()
        _sign_in(session, user)
        redirect("/notes")

    @app.get("/login")
    def login_form() -> str:
        """The login form."""
        return render("login.html", error=None)

    @app.post("/login")
    def login(session: Any, db: Session) -> str:
        """Sign in with user name and password."""
        check_csrf(session)
        username = request.forms.get("username", "").strip().lower()
        user = db.scalar(select(User).where(User.username == username))
        if user is None or not verify_password(request.forms.get("password", ""), user.password_hash):
            return render("login.html", 401, error="Wrong user name or password.")
        _sign_in(session, user)
        redirect("/notes")

    @app.post("/logout")
    def logout(session: Any) -> None:
        """Sign out: the session ends, its data is deleted."""
        check_csrf(session)
        session.invalidate()
        redirect("/login")

    @app.get("/notes")
    def notes(session: Any, db: Session) -> str:
        """The signed-in user's notes, newest first, and a form for a new one."""
        user_id = current_user_id(session)
        rows = db.scalars(select(Note).where(Note.owner_id == user_id).order_by(Note.updated_at.desc(), Note.id.desc()))
        return render("notes.html", notes=list(rows), error=None)

    @app.post("/notes")
    def create_note(session: Any, db: Session) -> None:
        """Add a note from the form."""
        user_id = current_user_id(session)
        check_csrf(session)
        title, body = _note_fields()
        db.add(Note(owner_id=user_id, title=title, body=body))
        redirect("/notes")

    @app.get("/notes/<note_id:int>/edit")
    def edit_form(session: Any, db: Session, note_id: int) -> str:
        """The edit form of one note."""
        note = own_note(db, note_id, current_user_id(session))
        return render("edit.html", note=note, error=None)

    @app.post("/notes/<note_id:int>")
    def update_note(session: Any, db: Session, note_id: int) -> None:
        """Save an edited note."""
        note = own_note(db, note_id, current_user_id(session))
        check_csrf(session)
        note.title, note.body = _note_fields()
        redirect("/notes")

    @app.post("/notes/<note_id:int>/delete")
    def delete_note(session: Any, db: Session, note_id: int) -> None:
        """Delete a note."""
        note = own_note(db, note_id, current_user_id(session))
        check_csrf(session)
        db.delete(note)
        redirect("/notes")

    @app.get("/public", session=False, cache={"ttl": 30, "tags": ["public"]})
    def public(db: Session) -> str:
        """A public page, cached for 30 seconds: how many people keep how many notes."""
        users = db.scalar(select(func.count(User.id))) or 0
        count = db.scalar(select(func.count(Note.id))) or 0
        rendered_at = datetime.now(timezone.utc).strftime("%H:%M:%S UTC")
        return template("public.html", template_lookup=VIEWS, users=users, notes=count, rendered_at=rendered_at,
                        username=None, csrf_token="")


def _sign_in(session: Any, user: User) -> None:
    session.regenerate()  # a new session id on login, against session fixation
    session["user_id"] = user.id
    session["username"] = user.username
    session["csrf"] = secrets.token_urlsafe(16)


def _note_fields() -> tuple[str, str]:
    title = request.forms.get("title", "").strip()
    body = request.forms.get("body", "")
    if not title or len(title) > 200:
        raise HTTPError(400, "A note needs a title of 1 to 200 characters.")
    if len(body) > 10000:
        raise HTTPError(400, "A note's text is limited to 10,000 characters.")
    return title, body


def _add_api(app: App) -> None:
    @app.get("/api/notes", response_schema=NOTE_LIST)
    def api_list(session: Any, db: Session) -> dict[str, Any]:
        """List the signed-in user's notes."""
        user_id = current_user_id(session, api=True)
        rows = db.scalars(select(Note).where(Note.owner_id == user_id).order_by(Note.id))
        return {"notes": [note.as_dict() for note in rows]}

    @app.post("/api/notes", schema=NOTE_IN, response_schema=NOTE_OUT)
    def api_create(session: Any, db: Session, body: dict[str, Any]) -> dict[str, Any]:
        """Create a note."""
        note = Note(owner_id=current_user_id(session, api=True), title=body["title"], body=body.get("body", ""))
        db.add(note)
        db.flush()
        response.status = 201
        return note.as_dict()

    @app.get("/api/notes/<note_id:int>", response_schema=NOTE_OUT)
    def api_get(session: Any, db: Session, note_id: int) -> dict[str, Any]:
        """Fetch one note."""
        return own_note(db, note_id, current_user_id(session, api=True), api=True).as_dict()

    @app.put("/api/notes/<note_id:int>", schema=NOTE_IN, response_schema=NOTE_OUT)
    def api_update(session: Any, db: Session, note_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """Replace a note's title and text."""
        note = own_note(db, note_id, current_user_id(session, api=True), api=True)
        note.title, note.body = body["title"], body.get("body", "")
        db.flush()
        return note.as_dict()

    @app.delete("/api/notes/<note_id:int>")
    def api_delete(session: Any, db: Session, note_id: int) -> None:
        """Delete a note."""
        db.delete(own_note(db, note_id, current_user_id(session, api=True), api=True))
        response.status = 204
