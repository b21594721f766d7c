"""Commands about organisations: registration, the security policy, single sign-on, SCIM
tokens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interlude.identity.adapters.digests import new_secret, same, sha256
from interlude.identity.app import people
from interlude.identity.app.deps import Identity
from interlude.identity.domain import organisation
from interlude.identity.domain.errors import PolicyRefused
from interlude.identity.domain.organisation import Organisation
from interlude.shared.events.envelope import Actor, CommandContext
from interlude.shared.ids import new_id
from interlude.shared.policy import PolicyInvalid
from interlude.shared.sealing import Secret


@dataclass(frozen=True)
class Registered:
    tenant_id: str
    admin_user_id: str
    position: int


async def register(deps: Identity, actor: Actor, *, name: str, allowed_domains: tuple[str, ...],
                   admin_email: str, admin_name: str, admin_password: str) -> Registered:
    """An organisation with its default policy, and its first org_admin (active at once)."""
    tenant_id = new_id()
    ctx = deps.context(tenant_id, actor, policy_version=1)
    await deps.orgs.execute(tenant_id, tenant_id, lambda s: organisation.register(
        s, name=name, allowed_domains=allowed_domains), ctx)
    admin_id, pos = await people.provision(
        deps, ctx, email=admin_email, display_name=admin_name, roles=("org_admin",),
        source="registration", password=admin_password)
    return Registered(tenant_id, admin_id, pos)


async def load(deps: Identity, tenant_id: str) -> Organisation:
    state = (await deps.orgs.load(tenant_id, tenant_id)).state
    organisation.must_exist(state)
    return state


async def change_policy(deps: Identity, ctx: CommandContext, changes: dict[str, Any],
                        reason: str) -> tuple[Organisation, int]:
    """An unknown key or a bad value is refused naming the key."""
    try:
        result = await deps.orgs.execute(ctx.tenant_id, ctx.tenant_id, lambda s: (
            organisation.change_policy(s, changes, reason)), ctx)
    except PolicyInvalid as invalid:
        raise PolicyRefused(f"{invalid.key}: {invalid.message}", key=invalid.key) from None
    state = await load(deps, ctx.tenant_id)
    return state, people.position(result)


async def configure_sso(deps: Identity, ctx: CommandContext, *, issuer: str, client_id: str,
                        client_secret: str, allowed_domains: tuple[str, ...],
                        default_roles: tuple[str, ...]) -> int:
    subject = f"org-{ctx.tenant_id}"
    result = await deps.orgs.execute(ctx.tenant_id, ctx.tenant_id, lambda s: (
        organisation.configure_sso(s, issuer=issuer, client_id=client_id,
                                   client_secret=Secret(client_secret, subject),
                                   allowed_domains=tuple(d.lower() for d in allowed_domains),
                                   default_roles=default_roles)), ctx)
    return people.position(result)


async def issue_scim_token(deps: Identity, ctx: CommandContext, label: str) -> tuple[str, str]:
    """(token id, token): the token is shown once; only its hash is kept."""
    token_id, secret = new_id()[:12], new_secret()
    await deps.orgs.execute(ctx.tenant_id, ctx.tenant_id, lambda s: (
        organisation.issue_scim_token(s, token_id, sha256(secret), label)), ctx)
    return token_id, f"scim_{ctx.tenant_id}.{token_id}.{secret}"


async def revoke_scim_token(deps: Identity, ctx: CommandContext, token_id: str) -> int:
    return people.position(await deps.orgs.execute(ctx.tenant_id, ctx.tenant_id, lambda s: (
        organisation.revoke_scim_token(s, token_id)), ctx))


async def scim_tenant(deps: Identity, token: str) -> tuple[str, str] | None:
    """The (tenant, token id) a SCIM bearer token belongs to, or None."""
    body = token.removeprefix("scim_")
    parts = body.split(".")
    if not token.startswith("scim_") or len(parts) != 3 or len(token) > 200:
        return None
    if not all(people.ID.match(p) for p in parts):
        return None
    tenant_id, token_id, secret = parts
    # not from the cache: a token revoked through another replica must stop working at once
    state = (await deps.orgs.load(tenant_id, tenant_id, use_cache=False)).state
    expected = state.scim_tokens.get(token_id)
    if expected is None or not same(expected, sha256(secret)):
        return None
    return tenant_id, token_id
