"""Who is calling: a bearer token for programs, the session (with CSRF) for the browser.

A request that carries an `Authorization` header is judged by that header alone, so a stale or
forged token never falls back to an ambient browser session (SECURITY-REFERENCE H, E1).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from serval.people.actions import authenticate_token
from serval.people.models import User


class BearerAuth(HttpBearer):
    """`Authorization: Bearer srv_…`, checked against the stored SHA-256 digest."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        # Control characters never reach the database (PostgreSQL rejects NUL in text).
        if len(token) > 200 or not token.isascii() or not token.isprintable():
            return None
        return authenticate_token(token)


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; unsafe methods need the CSRF token like any form post."""

    param_name = "sessionid"

    def __init__(self) -> None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        # csrf=True tells the docs page to send X-CSRFToken; the check itself is done below,
        # after authentication, so an anonymous request gets 401 rather than a CSRF 403.
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if "authorization" in request.headers:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            if check_csrf(request) is not None:
                raise HttpError(403, "CSRF check failed")
        return user  # type: ignore[no-any-return]


def actor(request: HttpRequest) -> User:
    """The authenticated user of this API request (set by ninja from the auth callbacks)."""
    return request.auth  # type: ignore[attr-defined, no-any-return]
