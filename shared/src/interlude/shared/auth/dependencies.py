"""FastAPI wiring: the principal as a dependency, role checks, and 401/403 problems.

Authorisation is a dependency, not an ``if`` deep in a handler::

    install_auth(app, TokenVerifier(JwksKeySource(jwks_url), revocations=trust.cache))

    @app.get("/v1/dashboard")
    async def dashboard(coach: Annotated[Principal, Depends(require_roles("coach"))]): ...
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from interlude.shared.auth.principal import SERVICE_ROLE, Principal
from interlude.shared.auth.tokens import InvalidToken, TokenVerifier
from interlude.shared.http.problems import Problem, problem_response

MISSING_DETAIL = "sign in first: send Authorization: Bearer <access token>"
_CHALLENGE_INVALID = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
_CHALLENGE = {"WWW-Authenticate": "Bearer"}  # RFC 6750 3.1: no error code when none was sent


def install_auth(app: FastAPI, verifier: TokenVerifier | None = None) -> None:
    """Answer :class:`InvalidToken` with a 401 problem, and make ``verifier`` the app's.

    Handlers must be installed before the app starts; a service whose verifier needs its
    connections (keys, the trust cache) passes none here and sets ``app.state.token_verifier``
    in its lifespan. Until then, requests that need a principal get a 503.
    """
    if verifier is not None:
        app.state.token_verifier = verifier

    async def _invalid_token(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, InvalidToken)
        return problem_response(request, Problem(401, "unauthenticated", exc.detail,
                                                 headers=_CHALLENGE_INVALID, reason=exc.reason))

    async def _problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(request, exc)

    app.add_exception_handler(InvalidToken, _invalid_token)
    if Problem not in app.exception_handlers:  # an app not made by create_app
        app.add_exception_handler(Problem, _problem)


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None when there is none."""
    value = request.headers.get("authorization")
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def current_principal(request: Request) -> Principal:
    """The verified caller; 401 when the token is missing or cannot be trusted."""
    token = bearer_token(request)
    if token is None:
        raise Problem(401, "unauthenticated", MISSING_DETAIL, headers=_CHALLENGE)
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        raise Problem(503, "unavailable", "sign-in checks are starting; try again in a moment",
                      headers={"Retry-After": "1"})
    return await verifier.verify(token)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


class Standing:
    """Whether the caller of a long-lived answer (a stream) would still be let in, asked again
    while it runs: a stream checked only when it opened would go on past its token's expiry,
    a withdrawn signing key, a deactivation or a change of roles, each of which refuses a new
    request at once. :meth:`holds` re-verifies the token that opened it as a new request's
    (from memory: the verifier keeps what it checked); ``until`` is when the token expires,
    when the stream ends and its client comes back with a fresh one."""

    def __init__(self, verifier: TokenVerifier, token: str, principal: Principal) -> None:
        self._verifier, self._token = verifier, token
        self.until = principal.expires_at

    async def holds(self) -> bool:
        try:
            await self._verifier.verify(self._token)
        except InvalidToken:
            return False
        return True


async def current_standing(request: Request, principal: PrincipalDep) -> Standing:
    """The caller's :class:`Standing`, for a route whose answer outlives the request."""
    token = bearer_token(request)
    assert token is not None  # the principal was verified from it
    return Standing(request.app.state.token_verifier, token, principal)


StandingDep = Annotated[Standing, Depends(current_standing)]


def _role_required(roles: tuple[str, ...], detail: str) -> Problem:
    return Problem(403, "role-required", detail, roles_required=list(roles))


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency giving the principal when it holds any of ``roles``, else a 403 problem
    (``role-required``, listing them in ``roles_required``)."""
    if not roles:
        raise ValueError("require_roles needs at least one role")
    wanted = frozenset(roles)
    names = " or ".join(roles)
    detail = f"this needs the role {names}; ask your organisation's administrator for it"

    async def dependency(principal: PrincipalDep) -> Principal:
        if principal.roles.isdisjoint(wanted):
            raise _role_required(roles, detail)
        return principal

    return dependency


async def current_service(principal: PrincipalDep) -> Principal:
    """The caller, when it is another Interlude service (a service token); else 403."""
    if principal.kind != "service":
        raise _role_required((SERVICE_ROLE,), "only another Interlude service may call this")
    return principal


ServiceDep = Annotated[Principal, Depends(current_service)]
