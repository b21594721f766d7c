"""People: invitations, the directory, roles, deactivation and erasure."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from interlude.identity.api.deps import (
    CoachingDep,
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
    InvitationPublic,
    InvitationStatusPublic,
    PeopleNamedPublic,
    PersonNamedPublic,
    RoleGrant,
    TokensPublic,
    UserListPublic,
    UserPublic,
)
from interlude.identity.app import directory, erasure, organisations, people
from interlude.identity.app.deps import Identity
from interlude.shared.http.problems import Problem
from interlude.shared.kit import After, WrittenPublic, problems

router = APIRouter(tags=["people"])
ORG = "/v1/organisations/{org_id}"
ADMIN = problems(401, 403, 404, 409, 422)
Status = Annotated[str | None, Query(alias="status", max_length=20)]


@router.post(ORG + "/invitations", status_code=status.HTTP_201_CREATED,
             response_model=InvitationPublic, responses=ADMIN)
async def invite(org_id: str, body: InvitationCreate, deps: IdentityDep, admin: OrgAdminDep,
                 idempotency_key: IdempotencyKey = None) -> InvitationPublic:
    """Invite a person; the link works once and expires. Until notify e-mails it, the link is
    returned here for the administrator to pass on."""
    done = await people.invite(deps, command(deps, admin, org_id), str(body.email),
                               body.display_name, tuple(body.roles), idempotency_key)
    return _invitation(deps, done)


def _invitation(deps: Identity, done: people.Invitation) -> InvitationPublic:
    return InvitationPublic(user_id=done.user_id, position=done.position, token=done.token,
                            accept_url=f"{deps.settings.web_url}/invitations/{done.token}",
                            expires_at=done.expires_at.isoformat())


@router.post(ORG + "/users/{user_id}/invitation", status_code=status.HTTP_201_CREATED,
             response_model=InvitationPublic, responses=ADMIN)
async def reinvite(org_id: str, user_id: str, deps: IdentityDep, admin: OrgAdminDep,
                   idempotency_key: IdempotencyKey = None) -> InvitationPublic:
    """A new link for someone invited who has not joined yet (theirs expired, or was lost);
    the earlier link stops working. 409 once they have joined, or while deactivated."""
    done = await people.reinvite(deps, user_command(deps, admin, org_id, user_id), user_id,
                                 idempotency_key)
    return _invitation(deps, done)


@router.get("/v1/invitations/{token}", response_model=InvitationStatusPublic,
            responses=problems(404, 410, 422))
async def invitation(token: str, deps: IdentityDep) -> InvitationStatusPublic:
    """Whether a link can still be accepted (410 when used or expired)."""
    tenant_id = await people.invitation_status(deps, token)
    org = await organisations.load(deps, tenant_id)
    return InvitationStatusPublic(status="open", organisation=org.name)


@router.post("/v1/invitations/accept", response_model=TokensPublic,
             responses=problems(404, 409, 410, 422))
async def accept(body: InvitationAccept, deps: IdentityDep) -> TokensPublic:
    """Choose a password; the account is active and signed in."""
    pair = await people.accept(deps, body.token, body.password)
    return TokensPublic.model_validate(pair.public())


@router.get(ORG + "/users", response_model=UserListPublic, responses=problems(401, 403, 404, 422))
async def list_users(org_id: str, deps: IdentityDep, staff: StaffDep, status_: Status = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 100,
                     offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                     cursor: Annotated[str | None, Query(max_length=300, description=(
                         "the next_cursor of the last page: a page deep in a large "
                         "directory costs what the first does (offset counts from there)"))] = None,
                     after: After = 0) -> UserListPublic:
    fresh = await directory.caught_up(deps, after)
    users, total, next_cursor = await directory.users(deps, org_id, status_, limit, offset,
                                                      cursor)
    return UserListPublic(users=[UserPublic(**u) for u in users], total=total,
                          next_cursor=next_cursor, fresh=fresh)


@router.get(ORG + "/people", response_model=PeopleNamedPublic,
            responses=problems(401, 403, 404, 422))
async def named_people(org_id: str, deps: IdentityDep, principal: CoachingDep,
                       role: Annotated[Literal["coachee", "coach", "sponsor"], Query()],
                       limit: Annotated[int, Query(ge=1, le=500)] = 200,
                       after: After = 0) -> PeopleNamedPublic:
    """For coaches: the organisation's active coachees (to propose a contract to), sponsors (to
    name in one) or coaches (to invite to a peer circle), each with their id and name only.
    Coachees may ask for the coaches only (their coach's name, beside their contract)."""
    if role != "coach" and not principal.has("coach"):
        raise Problem(403, "role-required", f"only coaches look up the {role}s of the "
                      "organisation", roles_required=["coach"])
    fresh = await directory.caught_up(deps, after)
    found = await directory.named(deps, org_id, role, limit)
    return PeopleNamedPublic(people=[PersonNamedPublic(id=r["id"], name=r["display_name"])
                                     for r in found], fresh=fresh)


@router.get(ORG + "/users/{user_id}", response_model=UserPublic,
            responses=problems(401, 404, 422))
async def get_user(org_id: str, user_id: str, deps: IdentityDep, principal: OrgMemberDep,
                   after: After = 0) -> UserPublic:
    """A person of the organisation: anyone reads themselves, staff read everyone."""
    check_id(user_id, "user")
    if principal.user_id != user_id and not principal.has("org_admin", "compliance_officer"):
        raise not_found("user")
    await directory.caught_up(deps, after)
    return UserPublic.model_validate(await directory.user(deps, org_id, user_id))


@router.post(ORG + "/users/{user_id}/roles", response_model=WrittenPublic, responses=ADMIN)
async def grant_role(org_id: str, user_id: str, body: RoleGrant, deps: IdentityDep,
                     admin: OrgAdminDep) -> WrittenPublic:
    ctx = user_command(deps, admin, org_id, user_id)
    return WrittenPublic(id=user_id, position=await people.grant(deps, ctx, user_id, body.role))


@router.delete(ORG + "/users/{user_id}/roles/{role}", response_model=WrittenPublic,
               responses=ADMIN)
async def revoke_role(org_id: str, user_id: str, role: str, deps: IdentityDep,
                      admin: OrgAdminDep) -> WrittenPublic:
    ctx = user_command(deps, admin, org_id, user_id)
    return WrittenPublic(id=user_id, position=await people.revoke(deps, ctx, user_id, role))


@router.post(ORG + "/users/{user_id}/deactivate", response_model=WrittenPublic, responses=ADMIN)
async def deactivate(org_id: str, user_id: str, body: Deactivation, deps: IdentityDep,
                     admin: OrgAdminDep) -> WrittenPublic:
    """Every token of the person stops working at once, in every service."""
    ctx = user_command(deps, admin, org_id, user_id)
    return WrittenPublic(id=user_id,
                         position=await people.deactivate(deps, ctx, user_id, body.reason))


@router.post(ORG + "/users/{user_id}/reactivate", response_model=WrittenPublic, responses=ADMIN)
async def reactivate(org_id: str, user_id: str, deps: IdentityDep,
                     admin: OrgAdminDep) -> WrittenPublic:
    ctx = user_command(deps, admin, org_id, user_id)
    return WrittenPublic(id=user_id, position=await people.reactivate(deps, ctx, user_id))


@router.post(ORG + "/erasures", status_code=status.HTTP_202_ACCEPTED,
             response_model=WrittenPublic, responses=problems(401, 403, 404, 409, 422))
async def erase(org_id: str, body: ErasureCreate, deps: IdentityDep,
                principal: OrgMemberDep) -> WrittenPublic:
    """Forget a person: a compliance officer, or the person themselves where the policy's
    ``export.self_service`` allows."""
    position = await erasure.request(deps, command(deps, principal, org_id), principal,
                                     body.subject_id, body.reason)
    return WrittenPublic(id=body.subject_id, position=position)
