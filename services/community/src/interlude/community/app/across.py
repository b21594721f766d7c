"""Peer circles across organisations (``community.circles_across_organisations``, ADR 0015).
A coach whose organisation allows it finds the findable pseudonymous circles of other
organisations that allow it too, asks to join, and once admitted takes part there as a guest:
their request is served in the circle's organisation (its events, its policy, its audit
trail), they are shown only by pseudonym, and they see the circle's people only by pseudonym
(its host as "the circle's host"). Everything else stays within each organisation."""

from __future__ import annotations

from dataclasses import replace

from interlude.community.app.deps import Community
from interlude.community.domain.errors import InvalidState
from interlude.community.projections import across
from interlude.shared.events.envelope import CommandContext

KEY = across.KEY
COACH = "coach"


def allows(deps: Community, tenant_id: str) -> bool:
    policy = deps.policy.policy(tenant_id)
    return policy is not None and bool(policy.value(KEY))


async def host_context(deps: Community, ctx: CommandContext, space_id: str) -> CommandContext:
    """The context a request about ``space_id`` runs in: the caller's own, unless the space is
    a circle of another organisation the caller (a coach) may reach, whose it then is. A coach
    in such a circle whose organisation has since switched circles across organisations off
    is refused (403 naming the key, audited in their organisation); to anyone else such a
    circle does not exist."""
    if COACH not in ctx.actor.roles:
        return ctx
    found = await across.host_of(deps.pool, ctx.tenant_id, space_id, ctx.actor.id)
    if found is None:
        return ctx
    if not found["member"] and not allows(deps, ctx.tenant_id):
        return ctx  # not theirs to find: a 404, as for any space of another organisation
    await deps.enforce_enabled(ctx, "reach_circle", "space", space_id)
    await deps.enforce(ctx, KEY, "reach_circle", "space", space_id)
    return replace(ctx, tenant_id=found["tenant_id"])


async def guest_steps_out(deps: Community, ctx: CommandContext, space_id: str) -> None:
    """A guest has no name in the circle's organisation to show: refused, saying so."""
    if await across.is_guest(deps.pool, ctx.tenant_id, space_id, ctx.actor.id):
        raise InvalidState("in a circle of another organisation you are known only by your "
                           "pseudonym: your name is not kept there, so it cannot be shown")


async def other_organisations(deps: Community, ctx: CommandContext) -> list[str]:
    """The organisations whose circles the caller may find beside their own."""
    if not allows(deps, ctx.tenant_id):
        return []
    return await across.allowing(deps.pool, ctx.tenant_id)
