"""Dependencies of identity's routes: the wired application (the kit's), the caller's
organisation. What is identity's own: every route under ``/v1/organisations/{org_id}`` answers
404 to a caller of another organisation before anything else, so nothing about it leaks."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends

from interlude.identity.app.deps import Identity
from interlude.shared.auth import Principal, PrincipalDep, require_roles
from interlude.shared.events.envelope import CommandContext
from interlude.shared.http.problems import Problem
from interlude.shared.kit import IdempotencyKey, app_dependency

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

IdentityDep = Annotated[Identity, Depends(app_dependency("identity"))]


def not_found(what: str = "organisation") -> Problem:
    return Problem(404, "not-found", f"there is no such {what}")


def check_id(value: str, what: str) -> str:
    if not _ID.match(value):
        raise not_found(what)
    return value


def own_org(principal: Principal, org_id: str) -> str:
    """The organisation in the path must be the caller's: another's is answered as absent."""
    if principal.tenant_id != org_id:
        raise not_found()
    return org_id


def org_role(*roles: str) -> Callable[[str, Principal], Awaitable[Principal]]:
    """A dependency for routes under ``/v1/organisations/{org_id}``: the caller must belong to
    that organisation (else 404, before anything else, so nothing about another organisation
    leaks, not even that it exists) and hold one of ``roles`` (else 403)."""
    check = require_roles(*roles) if roles else None

    async def dependency(org_id: str, principal: PrincipalDep) -> Principal:
        own_org(principal, org_id)
        return principal if check is None else await check(principal)

    return dependency


OrgMemberDep = Annotated[Principal, Depends(org_role())]
OrgAdminDep = Annotated[Principal, Depends(org_role("org_admin"))]
CoachingDep = Annotated[Principal, Depends(org_role("coach", "coachee"))]
StaffDep = Annotated[Principal, Depends(org_role("org_admin", "compliance_officer"))]


def command(deps: Identity, principal: Principal, org_id: str) -> CommandContext:
    own_org(principal, org_id)
    return deps.context(org_id, principal.actor, policy_version=principal.policy_version)


def user_command(deps: Identity, principal: Principal, org_id: str,
                 user_id: str) -> CommandContext:
    check_id(user_id, "user")
    return command(deps, principal, org_id)


__all__ = [
    "CoachingDep",
    "IdempotencyKey",
    "IdentityDep",
    "OrgAdminDep",
    "OrgMemberDep",
    "PrincipalDep",
    "StaffDep",
]
