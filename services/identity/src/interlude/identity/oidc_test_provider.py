"""A real OpenID Connect provider for tests (identity's own, and the journeys through web),
served over HTTP by uvicorn on a port of its own: discovery, an authorization endpoint that
signs in its one configured test user at once, a token endpoint that checks the client, the
code, the redirect URI and the PKCE verifier, and its JWKS. ID tokens are RS256, signed with
joserfc. ``misbehave`` makes it lie on request."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

KID = "test-provider-1"
CODE_TTL = 60


@dataclass
class TestUser:
    __test__ = False  # not a pytest class

    email: str
    email_verified: bool = True
    name: str = "Sam Single"
    amr: tuple[str, ...] = ("pwd",)  # how the provider says it signed them in (RFC 8176)
    sub: str = field(default_factory=lambda: "sub-" + secrets.token_hex(6))


@dataclass(frozen=True)
class Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    user: TestUser
    issued_at: float


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class OidcTestProvider:
    """``async with OidcTestProvider() as provider``; set ``provider.user`` before signing in.
    ``misbehave`` may hold ``wrong-nonce``, ``foreign-key`` (signed with a key it does not
    publish, under the published kid) or ``deny`` (the person declines)."""

    def __init__(self, client_id: str = "interlude", *,
                 auth_methods: tuple[str, ...] = ("client_secret_basic",
                                                  "client_secret_post")) -> None:
        self.client_id = client_id
        self.client_secret = secrets.token_urlsafe(24)
        self.auth_methods = auth_methods
        self.user: TestUser | None = None
        self.misbehave: set[str] = set()
        self.codes: dict[str, Grant] = {}
        self.token_answers: list[tuple[int, dict[str, Any]]] = []  # what /token answered
        self.key = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig",
                                                         "alg": "RS256"})
        self.foreign_key = RSAKey.generate_key(2048, parameters={"kid": KID, "alg": "RS256"})
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))  # bound here, so no other program can take it
        self.issuer = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        app = Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST"]),
            Route("/jwks", self.jwks)])
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> OidcTestProvider:
        self._task = asyncio.create_task(self._server.serve(sockets=[self._socket]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task
        self._socket.close()

    # -- endpoints -------------------------------------------------------------------------------

    async def discovery(self, request: Request) -> Response:
        return JSONResponse({
            "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": list(self.auth_methods),
            "code_challenge_methods_supported": ["S256"]})

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != self.client_id or not q.get("redirect_uri"):
            # never redirect to an address the client did not prove it owns
            return PlainTextResponse("unknown client or no redirect_uri", status_code=400)
        problem = self._authorize_problem(q)
        if problem is not None:
            return self._back(q["redirect_uri"], {"error": problem, "state": q.get("state")})
        code = secrets.token_urlsafe(24)
        assert self.user is not None
        self.codes[code] = Grant(self.client_id, q["redirect_uri"], q["code_challenge"],
                                 q.get("nonce"), self.user, time.time())
        return self._back(q["redirect_uri"], {"code": code, "state": q.get("state")})

    def _authorize_problem(self, q: Any) -> str | None:
        if q.get("response_type") != "code":
            return "unsupported_response_type"
        if "openid" not in q.get("scope", "").split():
            return "invalid_scope"
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return "invalid_request"  # PKCE is required here, and only S256
        if self.user is None or "deny" in self.misbehave:
            return "access_denied"
        return None

    @staticmethod
    def _back(redirect_uri: str, params: dict[str, str | None]) -> Response:
        query = urlencode({k: v for k, v in params.items() if v is not None})
        return RedirectResponse(f"{redirect_uri}?{query}", status_code=302)

    async def token(self, request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        status, body = self._token_answer(request.headers.get("authorization"), form)
        self.token_answers.append((status, body))
        return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    def _token_answer(self, authorization: str | None,
                      form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if not self._client_authenticated(authorization, form):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or time.time() - grant.issued_at > CODE_TTL:
            return 400, {"error": "invalid_grant", "error_description": "unknown or used code"}
        if grant.redirect_uri != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri differs"}
        if s256(form.get("code_verifier", "")) != grant.code_challenge:
            return 400, {"error": "invalid_grant", "error_description": "PKCE check failed"}
        return 200, {"access_token": secrets.token_urlsafe(24), "token_type": "Bearer",
                     "expires_in": 300, "id_token": self._id_token(grant)}

    def _client_authenticated(self, authorization: str | None, form: dict[str, str]) -> bool:
        if authorization and authorization.startswith("Basic "):
            if "client_secret_basic" not in self.auth_methods:
                return False
            given = base64.b64decode(authorization[6:]).decode()
            client_id, _, secret = given.partition(":")
        elif "client_secret" in form and "client_secret_post" in self.auth_methods:
            client_id, secret = form.get("client_id", ""), form["client_secret"]
        else:
            return False
        return client_id == self.client_id and secrets.compare_digest(secret, self.client_secret)

    def _id_token(self, grant: Grant) -> str:
        now = int(time.time())
        nonce = "not-the-nonce-you-sent" if "wrong-nonce" in self.misbehave else grant.nonce
        claims = {"iss": self.issuer, "sub": grant.user.sub, "aud": grant.client_id,
                  "iat": now, "exp": now + 300, "auth_time": now, "nonce": nonce,
                  "email": grant.user.email, "email_verified": grant.user.email_verified,
                  "name": grant.user.name, "amr": list(grant.user.amr)}
        key = self.foreign_key if "foreign-key" in self.misbehave else self.key
        return jwt.encode({"alg": "RS256", "kid": KID}, claims, key, algorithms=["RS256"])
