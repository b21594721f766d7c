"""Passwords: the caller changes their own; a forgotten one is chosen anew through a link
e-mailed to its person alone, asked for by them or by an administrator (see
:mod:`interlude.identity.app.passwords`)."""

from __future__ import annotations

from fastapi import APIRouter, status

from interlude.identity.api.deps import IdentityDep, OrgAdminDep, user_command
from interlude.identity.api.schemas import (
    InvitationStatusPublic,
    PasswordChange,
    PasswordLinkAsked,
    PasswordLinkRequest,
    PasswordReset,
    TokensPublic,
)
from interlude.identity.app import organisations, passwords
from interlude.shared.auth import PrincipalDep
from interlude.shared.http.problems import Problem
from interlude.shared.kit import WrittenPublic, problems

router = APIRouter(tags=["passwords"])
ORG = "/v1/organisations/{org_id}"


@router.post("/v1/me/password", response_model=TokensPublic,
             responses=problems(401, 403, 409, 422, 429))
async def change(body: PasswordChange, deps: IdentityDep,
                 principal: PrincipalDep) -> TokensPublic:
    """A new password, the current one asked again (403 ``current-password-wrong``; too many
    wrong ones lock as sign-in does). Every other session is signed out; the answer is a new
    session for this one."""
    if principal.kind != "user":
        raise Problem(403, "role-required", "only a person has a password to change")
    ctx = deps.context(principal.tenant_id, principal.actor,
                       policy_version=principal.policy_version)
    pair = await passwords.change(deps, ctx, principal.amr or ("pwd",), body.current_password,
                                  body.new_password)
    return TokensPublic.model_validate(pair.public())


@router.post("/v1/password-resets", status_code=status.HTTP_202_ACCEPTED,
             response_model=PasswordLinkAsked, responses=problems(422))
async def ask_for_link(body: PasswordLinkRequest, deps: IdentityDep) -> PasswordLinkAsked:
    """A forgotten password: a single-use link (two hours) is e-mailed to each active account
    with this address. The answer is the same whether there is one or not, and links asked
    for too often (a few an hour, per address and per caller) are quietly not sent."""
    await passwords.request_reset(deps, str(body.email))
    return PasswordLinkAsked()


@router.post(ORG + "/users/{user_id}/password-reset", status_code=status.HTTP_202_ACCEPTED,
             response_model=WrittenPublic, responses=problems(401, 403, 404, 409, 422))
async def send_link(org_id: str, user_id: str, deps: IdentityDep,
                    admin: OrgAdminDep) -> WrittenPublic:
    """An administrator has a link e-mailed to someone who forgot their password; it goes to
    them alone (the administrator never sees it). 409 for an account that is not active or
    signs in through single sign-on only."""
    ctx = user_command(deps, admin, org_id, user_id)
    return WrittenPublic(id=user_id, position=await passwords.issue_reset(deps, ctx, user_id))


@router.get("/v1/password-resets/{token}", response_model=InvitationStatusPublic,
            responses=problems(404, 410, 422))
async def link_status(token: str, deps: IdentityDep) -> InvitationStatusPublic:
    """Whether a link can still be used (404 used or replaced, 410 expired)."""
    tenant_id = await passwords.reset_status(deps, token)
    org = await organisations.load(deps, tenant_id)
    return InvitationStatusPublic(status="open", organisation=org.name)


@router.post("/v1/password-resets/accept", response_model=TokensPublic,
             responses=problems(404, 410, 422))
async def reset(body: PasswordReset, deps: IdentityDep) -> TokensPublic:
    """The new password through the link, which is used up: every other session is signed
    out, and the person is signed in."""
    pair = await passwords.reset(deps, body.token, body.password)
    return TokensPublic.model_validate(pair.public())
