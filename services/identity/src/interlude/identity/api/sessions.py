"""Signing in and out, tokens, the second factor, service credentials and the JWKS."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import JSONResponse

from interlude.identity.adapters.digests import same
from interlude.identity.api.deps import IdentityDep
from interlude.identity.api.schemas import MfaConfirm, MfaTicket, RefreshRequest, SessionCreate
from interlude.identity.app import sessions, tokens
from interlude.identity.app.deps import Identity
from interlude.shared.auth import Principal, PrincipalDep, current_principal, service_secret
from interlude.shared.http.problems import Problem
from interlude.shared.text import SingleLine

router = APIRouter(tags=["sessions"])


@router.post("/v1/sessions")
async def sign_in(body: SessionCreate, deps: IdentityDep) -> dict[str, object]:
    """E-mail and password (and the code of the second factor when it is on). When the address
    has accounts in several organisations and the password opens more than one, the answer is
    a 409 ``organisation-required`` listing them: send the chosen one's id as ``organisation``."""
    attempt = sessions.Attempt(str(body.email), body.password, body.otp, body.organisation)
    return (await sessions.login(deps, attempt)).public()


@router.post("/v1/tokens/refresh")
async def refresh(body: RefreshRequest, deps: IdentityDep) -> dict[str, object]:
    """The next access token and refresh token; a refresh token works once."""
    return (await sessions.refresh(deps, body.refresh_token)).public()


@router.post("/v1/tokens/revoke", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(body: RefreshRequest, deps: IdentityDep) -> None:
    await sessions.sign_out(deps, body.refresh_token)


@router.get("/v1/me")
async def me(principal: PrincipalDep) -> dict[str, object]:
    return {"user_id": principal.user_id, "tenant_id": principal.tenant_id,
            "roles": sorted(principal.roles), "policy_version": principal.policy_version,
            "amr": list(principal.amr), "expires_at": principal.expires_at.isoformat()}


async def _enrollee(deps: Identity, request: Request, ticket: str | None) -> tuple[str, str]:
    """Who is enrolling: the holder of an enrolment ticket, or the signed-in user."""
    if ticket:
        return await sessions.ticket_holder(deps, ticket)
    principal: Principal = await current_principal(request)
    if principal.kind != "user":
        raise Problem(403, "forbidden", "only a person can enrol a second factor")
    return principal.tenant_id, principal.user_id


@router.post("/v1/mfa/enrol")
async def start_mfa(body: MfaTicket, request: Request, deps: IdentityDep) -> dict[str, str]:
    """A new authenticator secret, as an otpauth:// URI to scan; confirm it with a code."""
    tenant_id, user_id = await _enrollee(deps, request, body.ticket)
    uri = await sessions.start_mfa(deps, tenant_id, user_id, account=user_id)
    return {"otpauth_uri": uri, "secret": uri.split("secret=")[1].split("&")[0]}


@router.post("/v1/mfa/confirm")
async def confirm_mfa(body: MfaConfirm, request: Request, deps: IdentityDep) -> dict[str, str]:
    tenant_id, user_id = await _enrollee(deps, request, body.ticket)
    await sessions.confirm_mfa(deps, tenant_id, user_id, body.code)
    if body.ticket:
        await deps.tickets.take(sessions.MFA_TICKET, body.ticket, deps.clock())
    return {"status": "enabled", "next": "sign in again with your code"}


@router.post("/v1/service-tokens")
async def service_token(deps: IdentityDep,
                        grant_type: Annotated[str, Form(), SingleLine(50)],
                        client_id: Annotated[str, Form(pattern=r"^[a-z][a-z0-9-]{0,40}$")],
                        client_secret: Annotated[str, Form(), SingleLine(200)]) -> JSONResponse:
    """OAuth 2.0 client credentials for the few calls one service makes to another."""
    if grant_type != "client_credentials":
        raise Problem(400, "unsupported-grant-type", "use grant_type=client_credentials")
    if not same(service_secret(deps.master_secret, client_id), client_secret):
        raise Problem(401, "invalid-client", "unknown service or wrong secret")
    token = await tokens.service_token(deps, client_id, deps.clock())
    return JSONResponse({"access_token": token, "token_type": "Bearer",
                         "expires_in": deps.settings.access_token_ttl_s},
                        headers={"Cache-Control": "no-store"})


@router.get("/.well-known/jwks.json")
async def jwks(deps: IdentityDep) -> JSONResponse:
    """The public keys of access tokens; old keys stay while tokens they signed live."""
    return JSONResponse(await deps.keys.jwks(), headers={"Cache-Control": "max-age=60"})
