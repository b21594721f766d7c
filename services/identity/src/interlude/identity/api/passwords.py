"""Passwords: the caller changes their own (no reset of a forgotten one yet: see
:mod:`interlude.identity.app.passwords`)."""

from __future__ import annotations

from fastapi import APIRouter

from interlude.identity.api.deps import IdentityDep
from interlude.identity.api.schemas import PasswordChange, TokensPublic
from interlude.identity.app import passwords
from interlude.shared.auth import PrincipalDep
from interlude.shared.http.problems import Problem
from interlude.shared.kit import problems

router = APIRouter(tags=["passwords"])


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
