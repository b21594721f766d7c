"""Dependencies of identity's routes: the wired application, the caller's organisation."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request

from interlude.identity.app.deps import Identity
from interlude.shared.auth import Principal, PrincipalDep, require_roles
from interlude.shared.events.envelope import CommandContext
from interlude.shared.http.problems import Problem

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def identity(request: Request) -> Identity:
    return request.app.state.identity


IdentityDep = Annotated[Identity, Depends(identity)]
OrgAdminDep = Annotated[Principal, Depends(require_roles("org_admin"))]
ComplianceDep = Annotated[Principal, Depends(require_roles("compliance_officer"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


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


def command(deps: Identity, principal: Principal, org_id: str) -> CommandContext:
    own_org(principal, org_id)
    return deps.context(org_id, principal.actor, policy_version=principal.policy_version)


def user_command(deps: Identity, principal: Principal, org_id: str,
                 user_id: str) -> CommandContext:
    check_id(user_id, "user")
    return command(deps, principal, org_id)


__all__ = ["ComplianceDep", "IdempotencyKey", "IdentityDep", "OrgAdminDep", "PrincipalDep"]
