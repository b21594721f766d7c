"""Organisations, their security policy, single sign-on and SCIM tokens."""

from __future__ import annotations

from fastapi import APIRouter, status

from interlude.identity.api.deps import IdentityDep, OrgAdminDep, OrgMemberDep, command
from interlude.identity.api.schemas import (
    OrganisationCreate,
    OrganisationPublic,
    PolicyPublic,
    PolicyUpdate,
    RegistrationPublic,
    ScimTokenCreate,
    ScimTokenPublic,
    SingleSignOnPublic,
    SingleSignOnUpdate,
)
from interlude.identity.app import organisations
from interlude.identity.domain.organisation import Organisation
from interlude.shared.auth import ServiceDep
from interlude.shared.kit import WrittenPublic, problems

router = APIRouter(prefix="/v1/organisations", tags=["organisations"])
MEMBER = problems(401, 404, 422)  # 404: no such organisation, or not the caller's
ADMIN = problems(401, 403, 404, 409, 422)


def public(org_id: str, state: Organisation) -> OrganisationPublic:
    sso = state.sso
    return OrganisationPublic(
        id=org_id, name=state.name, allowed_domains=list(state.allowed_domains),
        policy_version=state.policy_version,
        single_sign_on=None if sso is None else SingleSignOnPublic(
            issuer=sso.issuer, client_id=sso.client_id,
            allowed_domains=list(sso.allowed_domains), default_roles=list(sso.default_roles),
            login_url=f"/v1/organisations/{org_id}/sso/login"))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RegistrationPublic,
             responses=problems(401, 403, 409, 422))
async def register_organisation(body: OrganisationCreate, deps: IdentityDep,
                                service: ServiceDep) -> RegistrationPublic:
    """Register an organisation and its first org_admin (operators and the seed do this, with a
    service credential)."""
    done = await organisations.register(
        deps, service.actor, name=body.name, allowed_domains=tuple(body.allowed_domains),
        admin_email=str(body.admin_email), admin_name=body.admin_name,
        admin_password=body.admin_password)
    return RegistrationPublic(id=done.tenant_id, admin_user_id=done.admin_user_id,
                              position=done.position)


@router.get("/{org_id}", response_model=OrganisationPublic, responses=MEMBER)
async def get_organisation(org_id: str, deps: IdentityDep,
                           member: OrgMemberDep) -> OrganisationPublic:
    return public(org_id, await organisations.load(deps, org_id))


@router.get("/{org_id}/policy", response_model=PolicyPublic, responses=MEMBER)
async def get_policy(org_id: str, deps: IdentityDep, member: OrgMemberDep) -> PolicyPublic:
    state = await organisations.load(deps, org_id)
    return PolicyPublic(tenant_id=org_id, version=state.policy_version,
                        policy=state.security_policy.to_wire())


@router.patch("/{org_id}/policy", response_model=PolicyPublic, responses=ADMIN)
async def change_policy(org_id: str, body: PolicyUpdate, deps: IdentityDep,
                        admin: OrgAdminDep) -> PolicyPublic:
    """Change some keys; an unknown key or a bad value is a 422 naming it."""
    state, position = await organisations.change_policy(
        deps, command(deps, admin, org_id), body.changes, body.reason)
    return PolicyPublic(tenant_id=org_id, version=state.policy_version,
                        policy=state.security_policy.to_wire(), position=position)


@router.put("/{org_id}/sso", response_model=WrittenPublic, responses=ADMIN)
async def configure_sso(org_id: str, body: SingleSignOnUpdate, deps: IdentityDep,
                        admin: OrgAdminDep) -> WrittenPublic:
    position = await organisations.configure_sso(
        deps, command(deps, admin, org_id), issuer=body.issuer, client_id=body.client_id,
        client_secret=body.client_secret, allowed_domains=tuple(body.allowed_domains),
        default_roles=tuple(body.default_roles))
    return WrittenPublic(id=org_id, position=position)


@router.post("/{org_id}/scim-tokens", status_code=status.HTTP_201_CREATED,
             response_model=ScimTokenPublic, responses=ADMIN)
async def issue_scim_token(org_id: str, body: ScimTokenCreate, deps: IdentityDep,
                           admin: OrgAdminDep) -> ScimTokenPublic:
    """A bearer token for the organisation's directory (Entra ID, Okta); shown only now."""
    token_id, token = await organisations.issue_scim_token(
        deps, command(deps, admin, org_id), body.label)
    return ScimTokenPublic(id=token_id, token=token, scim_base_url="/scim/v2")


@router.delete("/{org_id}/scim-tokens/{token_id}", response_model=WrittenPublic,
               responses=ADMIN)
async def revoke_scim_token(org_id: str, token_id: str, deps: IdentityDep,
                            admin: OrgAdminDep) -> WrittenPublic:
    position = await organisations.revoke_scim_token(deps, command(deps, admin, org_id),
                                                     token_id)
    return WrittenPublic(id=token_id, position=position)
