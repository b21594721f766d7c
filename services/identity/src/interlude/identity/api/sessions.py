"""Signing in and out, tokens, the second factor, service credentials and the JWKS."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status

from interlude.identity.api.deps import IdentityDep
from interlude.identity.api.schemas import (
    JwksPublic,
    MePublic,
    MfaConfirm,
    MfaEnabledPublic,
    MfaEnrolmentPublic,
    MfaTicket,
    RefreshRequest,
    ServiceTokenPublic,
    SessionCreate,
    TokensPublic,
)
from interlude.identity.app import sessions, tokens
from interlude.identity.app.deps import Identity
from interlude.shared.auth import Principal, PrincipalDep, current_principal
from interlude.shared.http.problems import Problem
from interlude.shared.kit import problems
from interlude.shared.text import SingleLine

router = APIRouter(tags=["sessions"])
SESSION = problems(401, 422)


@router.post("/v1/sessions", response_model=TokensPublic,
             responses=problems(401, 403, 409, 422, 429))
async def sign_in(body: SessionCreate, deps: IdentityDep) -> TokensPublic:
    """E-mail and password (and the code of the second factor when it is on). When the address
    has accounts in several organisations and the password opens more than one, the answer is
    a 409 ``organisation-required`` listing them: send the chosen one's id as ``organisation``."""
    attempt = sessions.Attempt(str(body.email), body.password, body.otp, body.organisation)
    pair = await sessions.login(deps, attempt)
    return TokensPublic.model_validate(pair.public())


@router.post("/v1/tokens/refresh", response_model=TokensPublic, responses=SESSION)
async def refresh(body: RefreshRequest, deps: IdentityDep) -> TokensPublic:
    """The next access token and refresh token; a refresh token works once."""
    pair = await sessions.refresh(deps, body.refresh_token)
    return TokensPublic.model_validate(pair.public())


@router.post("/v1/tokens/revoke", status_code=status.HTTP_204_NO_CONTENT,
             response_class=Response, responses=problems(422))
async def sign_out(body: RefreshRequest, deps: IdentityDep) -> None:
    await sessions.sign_out(deps, body.refresh_token)


@router.get("/v1/me", response_model=MePublic, responses=problems(401))
async def me(principal: PrincipalDep) -> MePublic:
    return MePublic(user_id=principal.user_id, tenant_id=principal.tenant_id,
                    roles=sorted(principal.roles), policy_version=principal.policy_version,
                    amr=list(principal.amr), expires_at=principal.expires_at.isoformat())


async def _enrollee(deps: Identity, request: Request, ticket: str | None) -> tuple[str, str]:
    """Who is enrolling: the holder of an enrolment ticket, or the signed-in user."""
    if ticket:
        return await sessions.ticket_holder(deps, ticket)
    principal: Principal = await current_principal(request)
    if principal.kind != "user":
        raise Problem(403, "forbidden", "only a person can enrol a second factor")
    return principal.tenant_id, principal.user_id


@router.post("/v1/mfa/enrol", response_model=MfaEnrolmentPublic,
             responses=problems(401, 403, 409, 422))
async def start_mfa(body: MfaTicket, request: Request, deps: IdentityDep) -> MfaEnrolmentPublic:
    """A new authenticator secret, as an otpauth:// URI to scan; confirm it with a code."""
    tenant_id, user_id = await _enrollee(deps, request, body.ticket)
    uri = await sessions.start_mfa(deps, tenant_id, user_id, account=user_id)
    return MfaEnrolmentPublic(otpauth_uri=uri, secret=uri.split("secret=")[1].split("&")[0])


@router.post("/v1/mfa/confirm", response_model=MfaEnabledPublic,
             responses=problems(401, 403, 409, 422))
async def confirm_mfa(body: MfaConfirm, request: Request, deps: IdentityDep) -> MfaEnabledPublic:
    tenant_id, user_id = await _enrollee(deps, request, body.ticket)
    await sessions.confirm_mfa(deps, tenant_id, user_id, body.code, body.ticket)
    return MfaEnabledPublic(status="enabled", next="sign in again with your code")


@router.post("/v1/service-tokens", response_model=ServiceTokenPublic,
             responses=problems(400, 401, 422))
async def service_token(deps: IdentityDep, response: Response,
                        grant_type: Annotated[str, Form(), SingleLine(50)],
                        client_id: Annotated[str, Form(pattern=r"^[a-z][a-z0-9-]{0,40}$")],
                        client_secret: Annotated[str, Form(), SingleLine(200)]
                        ) -> ServiceTokenPublic:
    """OAuth 2.0 client credentials for the few calls one service makes to another."""
    token = await tokens.service_token(deps, grant_type, client_id, client_secret)
    response.headers["Cache-Control"] = "no-store"
    return ServiceTokenPublic(access_token=token, token_type="Bearer",
                              expires_in=deps.settings.access_token_ttl_s)


@router.get("/.well-known/jwks.json", response_model=JwksPublic, responses=problems())
async def jwks(deps: IdentityDep, response: Response) -> JwksPublic:
    """The public keys of access tokens; old keys stay while tokens they signed live."""
    response.headers["Cache-Control"] = "max-age=60"
    return JwksPublic(**await deps.keys.jwks())
