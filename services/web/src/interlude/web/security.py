"""What keeps a browser session safe: the cookie's attributes, the CSRF token every form
carries, and the headers every answer gets (a Content-Security-Policy without inline script,
no framing, no caching of pages that show someone's coaching)."""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cross-origin-opener-policy": "same-origin",
}
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
PRE_COOKIE = "interlude_pre"  # the CSRF token of a visitor not signed in yet


def secure(request: Request) -> bool:
    """Cookies are Secure everywhere but on loopback (``make run`` serves plain HTTP there)."""
    return request.url.scheme == "https" or (request.url.hostname or "") not in LOOPBACK


def cookie_name(request: Request) -> str:
    # __Host-: only over HTTPS, for this host only, path /: no sibling domain can plant it
    return "__Host-interlude" if secure(request) else "interlude_session"


def set_cookie(response: Response, request: Request, name: str, value: str,
               max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True,
                        secure=secure(request), samesite="lax")


def clear_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, secure=secure(request),
                           samesite="lax")


def pre_token(request: Request) -> tuple[str, bool]:
    """The anonymous visitor's CSRF token, and whether it is new (to be set as a cookie)."""
    token = request.cookies.get(PRE_COOKIE)
    if token and 20 <= len(token) <= 100:
        return token, False
    return secrets.token_urlsafe(32), True


def same_origin(request: Request) -> bool:
    """A form posted from another site is refused even before its token is looked at."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin == f"{request.url.scheme}://{request.url.netloc}"


def token_matches(form: FormData, expected: str | None) -> bool:
    sent = form.get("csrf")
    return bool(expected) and isinstance(sent, str) and hmac.compare_digest(
        sent.encode(), str(expected).encode())


class SecurityHeaders:
    """Adds :data:`HEADERS` to every answer, and ``no-store`` to every page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.decode().lower() not in HEADERS]
                headers += [(k.encode(), v.encode()) for k, v in HEADERS.items()]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
