"""People: invitations, the directory, roles, deactivation and erasure."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from interlude.identity.api.deps import (
    IdempotencyKey,
    IdentityDep,
    OrgAdminDep,
    OrgMemberDep,
    StaffDep,
    check_id,
    command,
    not_found,
    user_command,
)
from interlude.identity.api.schemas import (
    Deactivation,
    ErasureCreate,
    InvitationAccept,
    InvitationCreate,
    RoleGrant,
    UserPublic,
    Written,
)
from interlude.identity.app import erasure, organisations, people
from interlude.identity.projections import queries
from interlude.identity.projections.directory import NAME as DIRECTORY
from interlude.shared.access import Access
from interlude.shared.http.context import request_id_var, source_address_var
from interlude.shared.http.problems import Problem

router = APIRouter(tags=["people"])
ORG = "/v1/organisations/{org_id}"


@router.post(ORG + "/invitations", status_code=status.HTTP_201_CREATED)
async def invite(org_id: str, body: InvitationCreate, deps: IdentityDep, admin: OrgAdminDep,
                 idempotency_key: IdempotencyKey = None) -> dict[str, object]:
    """Invite a person; the link works once and expires. Until notify e-mails it, the link is
    returned here for the administrator to pass on."""
    done = await people.invite(deps, command(deps, admin, org_id), str(body.email),
                               body.display_name, tuple(body.roles), idempotency_key)
    return {"user_id": done.user_id, "position": done.position, "token": done.token,
            "accept_url": f"{deps.settings.web_url}/invitations/{done.token}",
            "expires_at": done.expires_at.isoformat()}


@router.get("/v1/invitations/{token}")
async def invitation(token: str, deps: IdentityDep) -> dict[str, str]:
    """Whether a link can still be accepted (410 when used or expired)."""
    tenant_id = await people.invitation_status(deps, token)
    org = await organisations.load(deps, tenant_id)
    return {"status": "open", "organisation": org.name}


@router.post("/v1/invitations/accept")
async def accept(body: InvitationAccept, deps: IdentityDep) -> dict[str, object]:
    """Choose a password; the account is active and signed in."""
    return (await people.accept(deps, body.token, body.password)).public()


@router.get(ORG + "/users")
async def list_users(org_id: str, request: Request, staff: StaffDep,
                     status_: Annotated[str | None, Query(alias="status", max_length=20)] = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 100,
                     offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                     after: Annotated[int, Query(ge=0)] = 0) -> dict[str, object]:
    fresh = await _caught_up(request, after)
    async with request.app.state.identity_pool.acquire() as conn:
        users, total = await queries.users(conn, request.app.state.opener, org_id, status_,
                                           limit, offset)
    return {"users": users, "total": total, "fresh": fresh}


@router.get(ORG + "/users/{user_id}")
async def get_user(org_id: str, user_id: str, request: Request, deps: IdentityDep,
                   principal: OrgMemberDep,
                   after: Annotated[int, Query(ge=0)] = 0) -> UserPublic:
    check_id(user_id, "user")
    if principal.user_id != user_id and not principal.has("org_admin", "compliance_officer"):
        raise not_found("user")
    await _caught_up(request, after)
    async with request.app.state.identity_pool.acquire() as conn:
        found = await queries.user(conn, request.app.state.opener, org_id, user_id)
    if found is None:
        raise not_found("user")
    return UserPublic.model_validate(found)


@router.post(ORG + "/users/{user_id}/roles")
async def grant_role(org_id: str, user_id: str, body: RoleGrant, deps: IdentityDep,
                     admin: OrgAdminDep) -> Written:
    ctx = user_command(deps, admin, org_id, user_id)
    return Written(id=user_id, position=await people.grant(deps, ctx, user_id, body.role))


@router.delete(ORG + "/users/{user_id}/roles/{role}")
async def revoke_role(org_id: str, user_id: str, role: str, deps: IdentityDep,
                      admin: OrgAdminDep) -> Written:
    ctx = user_command(deps, admin, org_id, user_id)
    return Written(id=user_id, position=await people.revoke(deps, ctx, user_id, role))


@router.post(ORG + "/users/{user_id}/deactivate")
async def deactivate(org_id: str, user_id: str, body: Deactivation, deps: IdentityDep,
                     admin: OrgAdminDep) -> Written:
    """Every token of the person stops working at once, in every service."""
    ctx = user_command(deps, admin, org_id, user_id)
    return Written(id=user_id, position=await people.deactivate(deps, ctx, user_id, body.reason))


@router.post(ORG + "/users/{user_id}/reactivate")
async def reactivate(org_id: str, user_id: str, deps: IdentityDep, admin: OrgAdminDep) -> Written:
    ctx = user_command(deps, admin, org_id, user_id)
    return Written(id=user_id, position=await people.reactivate(deps, ctx, user_id))


@router.post(ORG + "/erasures", status_code=status.HTTP_202_ACCEPTED)
async def erase(org_id: str, body: ErasureCreate, deps: IdentityDep,
                principal: OrgMemberDep) -> Written:
    """Forget a person: a compliance officer, or the person themselves where the policy's
    ``export.self_service`` allows."""
    org = await organisations.load(deps, org_id)
    itself = principal.user_id == body.subject_id and org.security_policy.export_self_service
    if not (principal.has("compliance_officer") or itself):
        await deps.record(Access(
            tenant_id=org_id, actor=principal.actor, action="erasure", resource_type="user",
            resource_id=body.subject_id, outcome="denied", data_subject=body.subject_id,
            reason="role-required", policy_version=org.policy_version,
            request_id=request_id_var.get(), source_address=source_address_var.get()))
        raise Problem(403, "role-required", "only a compliance officer may erase someone else's"
                      " data", roles_required=["compliance_officer"])
    await people.existing(deps, org_id, body.subject_id)
    position = await erasure.erase(deps, command(deps, principal, org_id), body.subject_id,
                                   body.reason)
    return Written(id=body.subject_id, position=position)


async def _caught_up(request: Request, after: int) -> bool:
    if not after:
        return True
    waiter = request.app.state.waiter
    return await waiter.wait(DIRECTORY, request.app.state.identity_stream, after, timeout=5.0)
