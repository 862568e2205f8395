"""Who is calling: other systems with a bearer token, the staff UI with its session (and CSRF token)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from qyzmet.api.tokens import BadToken, user_for_token
from qyzmet.cases.access import Actor, require_actor


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``.  A token that is sent but bad is a 401 at once, never a fallback."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            return user_for_token(token)
        except BadToken as exc:
            raise AuthenticationError(message=str(exc)) from None


class BrowserSessionAuth(SessionAuth):
    """Django's session, with ninja's CSRF check for unsafe methods.

    The check runs only when the browser actually sent a session cookie: a request with no credentials
    at all is then answered 401 (sign in), not 403 (CSRF), which is what a caller needs to hear.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)


AUTH = [TokenAuth(), BrowserSessionAuth()]


def actor(request: HttpRequest) -> Actor:
    """The staff member behind the request; 403 for an account that belongs to no office."""
    return require_actor(request.auth)  # type: ignore[attr-defined]
