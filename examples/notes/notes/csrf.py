"""Protection of the HTML forms against cross-site request forgery (CSRF).

Every form carries a token, and a form post is accepted only when its token is the one this
visitor was given. Where the token is kept depends on who the visitor is:

- Signed in: in the session (made at sign-in, gone at logout), as before.
- Anonymous (the login and sign-up forms): in a cookie, signed with the app's secret, and the
  form carries the same token ("double submit"). A session per anonymous page view would cost
  a stored session, a Redis key with a 14-day lifetime, for every visitor who only looks at
  the login page; the cookie costs nothing on the server. A page on another site can make the
  browser send the cookie but cannot read it, so it cannot put the matching token in a form;
  the signature refuses a token that this app did not make.

The token is made lazily, when a template asks for it, so a page without a form sets no cookie
and stays cacheable.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from demijohn import HTTPError, request, response

COOKIE = "csrf"
FIELD = "csrf"
EXPIRED = "The form has expired or was not sent by this site; reload the page and try again."


class CSRF:
    """Makes and checks form tokens; ``secret`` signs the anonymous visitor's cookie."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(f"notes.csrf:{secret}".encode()).digest()

    def token(self, session: Any) -> str:
        """The token to put in a form: the session's for a signed-in visitor, else the cookie's
        (setting the cookie when the visitor has none yet)."""
        if session.get("user_id") is not None:
            if "csrf" not in session:
                session["csrf"] = secrets.token_urlsafe(16)
            return str(session["csrf"])
        token = self._cookie_token()
        if token is None:
            token = secrets.token_urlsafe(16)
            response.set_cookie(COOKIE, f"{token}.{self._sign(token)}", path="/", httponly=True, samesite="Lax",
                                secure=request.urlparts.scheme == "https")
        return token

    def check(self, session: Any) -> None:
        """Refuse (403) a form post whose token is missing or not the one this visitor was given."""
        sent = request.forms.get(FIELD, "")
        if session.get("user_id") is not None:
            expected: str | None = str(session.get("csrf", ""))
        else:
            expected = self._cookie_token()
        if not sent or not expected or not secrets.compare_digest(sent.encode(), expected.encode()):
            raise HTTPError(403, EXPIRED)

    def _cookie_token(self) -> str | None:
        """The token in the visitor's cookie, or None when there is none or its signature is wrong."""
        token, _, signature = (request.get_cookie(COOKIE) or "").partition(".")
        if token and secrets.compare_digest(signature.encode(), self._sign(token).encode()):
            return token
        return None

    def _sign(self, token: str) -> str:
        return hmac.new(self._key, token.encode(), hashlib.sha256).hexdigest()
