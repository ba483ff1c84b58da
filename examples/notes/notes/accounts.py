"""Sign up, log in, log out.

Logging in takes the same work whether the user name exists or not (an unknown name is checked
against a dummy hash), so the answer's timing does not tell which names exist; failures are
throttled per account and per client address (see ``throttle``).
"""

from __future__ import annotations

import math
import re
import secrets
from typing import Any

from demijohn import App, HTTPError, redirect, request, response
from sqlalchemy import select
from sqlalchemy.orm import Session

from .csrf import CSRF
from .models import User
from .passwords import hash_password, verify_password
from .rendering import Renderer, plural
from .throttle import LoginThrottle, ThrottleUnavailable

USERNAME = re.compile(r"[a-z0-9_]{3,32}")
MIN_PASSWORD, MAX_PASSWORD = 8, 1024


def add_account_pages(app: App, render: Renderer, csrf: CSRF, throttle: LoginThrottle, scrypt_n: int) -> None:
    """Add ``/signup``, ``/login`` and ``/logout`` to ``app``."""
    # Checked when the user name is unknown, at the cost new hashes are made with: an unknown
    # name then takes as long as a wrong password.
    dummy_hash = hash_password(secrets.token_urlsafe(16), n=scrypt_n)

    @app.get("/signup")
    def signup_form() -> str:
        """The sign-up form."""
        return render("signup.html")

    @app.post("/signup")
    def signup(session: Any, db: Session) -> str:
        """Create an account and sign in; a rejected form comes back with what was typed."""
        csrf.check(session)
        username = request.forms.get("username", "").strip().lower()
        password = request.forms.get("password", "")
        errors = {}
        status = 400
        if not USERNAME.fullmatch(username):
            errors["username"] = "Use 3 to 32 lower-case letters, digits or underscores."
        elif db.scalar(select(User.id).where(User.username == username)) is not None:
            errors["username"], status = f"The name {username} is taken; choose another.", 409
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            errors["password"] = f"Use a password of {MIN_PASSWORD} to {MAX_PASSWORD:,} characters."
        if errors:
            return render("signup.html", status, errors=errors, values={"username": username})
        user = User(username=username, password_hash=hash_password(password, n=scrypt_n))
        db.add(user)
        db.flush()
        sign_in(session, user)
        redirect("/notes")

    @app.get("/login")
    def login_form() -> str:
        """The login form."""
        return render("login.html")

    @app.post("/login")
    def login(session: Any, db: Session) -> str:
        """Sign in with user name and password: 401 when wrong, 429 after too many failures."""
        csrf.check(session)
        username = request.forms.get("username", "").strip().lower()
        password = request.forms.get("password", "")[:MAX_PASSWORD + 1]
        address = request.remote_addr
        values = {"username": username}
        try:
            wait = throttle.retry_after(username, address)
            if wait:
                response.set_header("Retry-After", str(wait))
                return render("login.html", 429, values=values, error=too_many(wait))
            user = db.scalar(select(User).where(User.username == username))
            matches = verify_password(password, user.password_hash if user is not None else dummy_hash)
            if user is None or not matches:
                throttle.failed(username, address)
                return render("login.html", 401, values=values, error="Wrong user name or password.")
            throttle.succeeded(username)
        except ThrottleUnavailable as failure:
            raise unavailable(failure) from failure
        sign_in(session, user)
        redirect("/notes")

    @app.post("/logout")
    def logout(session: Any) -> None:
        """Sign out: the session ends, its data is deleted."""
        csrf.check(session)
        session.invalidate()
        redirect("/login")


def sign_in(session: Any, user: User) -> None:
    """Start a signed-in session for ``user``, with a new id and a new form token."""
    session.regenerate()  # a new session id on login, against session fixation
    session["user_id"] = user.id
    session["username"] = user.username
    session["csrf"] = secrets.token_urlsafe(16)


def too_many(seconds: int) -> str:
    """The message of a throttled login."""
    wait = plural(math.ceil(seconds / 60), "minute") if seconds > 90 else plural(seconds, "second")
    return f"Too many failed logins for this account or from your address. Try again in {wait}."


def unavailable(failure: ThrottleUnavailable) -> HTTPError:
    """A 503 for a login that cannot be counted (an unthrottled login would let guessing through)."""
    error = HTTPError(503, "Logging in is unavailable for a moment; please try again.", exception=failure)
    error.set_header("Retry-After", "5")
    return error
