"""Spaces: a coach creates one, invites, sets slow mode and may reveal a pseudonym with a
reason; members join (under a pseudonym where the space has them), read, step out of their
pseudonym and back, and leave."""

from __future__ import annotations

from interlude.community.app import across
from interlude.community.app.deps import Community, Written
from interlude.community.domain import events as ev
from interlude.community.domain import pseudonyms
from interlude.community.domain import reading as reading_domain
from interlude.community.domain import space as domain
from interlude.community.domain.errors import InvalidState, NotAllowed, NotFound
from interlude.community.projections import queries
from interlude.shared import directory
from interlude.shared.events.envelope import CommandContext

PSEUDONYMS = "community.pseudonyms"


async def _policy_allows(deps: Community, ctx: CommandContext, pseudonymous: bool,
                         action: str, space_id: str) -> None:
    """``community.pseudonyms``: required refuses a space with names, forbidden one with
    pseudonyms; the refusal names the block like any other."""
    allowed = ("allowed", "required") if pseudonymous else ("allowed", "forbidden")
    await deps.policy.enforce_choice(ctx.tenant_id, PSEUDONYMS, allowed, actor=ctx.actor,
                                     action=action, resource_type="space",
                                     resource_id=space_id)


async def create(deps: Community, ctx: CommandContext, *, kind: ev.SpaceKind, name: str,
                 description: str, pseudonymous: bool, about: domain.About | None = None,
                 idempotency_key: str | None = None) -> Written:
    space_id = deps.new_id(ctx, "space", idempotency_key)
    await deps.enforce_enabled(ctx, "create_space", "space", space_id)
    if "coach" not in ctx.actor.roles:
        raise NotAllowed("coaches open spaces; ask your coach about joining theirs")
    await _policy_allows(deps, ctx, pseudonymous, "create_space", space_id)
    events = domain.create(ctx.actor.id, deps.handle(ctx.tenant_id, space_id, ctx.actor.id),
                           kind, name, description, pseudonymous, about)
    result = await deps.spaces.create(ctx.tenant_id, space_id, events, ctx, idempotency_key)
    return Written(space_id, result.position)


async def execute(deps: Community, ctx: CommandContext, space_id: str,
                   decide: domain.Decide) -> Written:
    position = await deps.spaces.execute_position(ctx.tenant_id, space_id, decide, ctx)
    return Written(space_id, position)


async def invite(deps: Community, ctx: CommandContext, space_id: str, user_id: str) -> Written:
    await deps.enforce_enabled(ctx, "invite_member", "space", space_id)
    space = await deps.space(ctx.tenant_id, space_id)
    domain.require_coach(space, ctx.actor.id, "invites members")
    if space.kind == "peer_circle":
        if not await queries.has_role(deps.pool, ctx.tenant_id, user_id, "coach"):
            raise NotFound("a peer circle is for coaches: there is no such coach here",
                           field="user_id")
        contract_id = None
    else:
        contract_id = await queries.eligible_contract(deps.pool, ctx.tenant_id,
                                                        space.coach_id, space_id, user_id)
    return await execute(deps, ctx, space_id,
                          lambda s: domain.invite(s, ctx.actor.id, user_id, contract_id))


async def join(deps: Community, ctx: CommandContext, space_id: str,
               pseudonym: str | None) -> Written:
    await deps.enforce_enabled(ctx, "join_space", "space", space_id)
    space = await deps.space(ctx.tenant_id, space_id)
    if ctx.actor.id not in space.members:
        raise NotFound("there is no such space")
    await _policy_allows(deps, ctx, space.pseudonymous, "join_space", space_id)
    real_name = await directory.name(deps.pool, deps.sealer, ctx.tenant_id, ctx.actor.id)
    handle = deps.handle(ctx.tenant_id, space_id, ctx.actor.id)
    return await execute(deps, ctx, space_id,
                          lambda s: domain.join(s, ctx.actor.id, handle, pseudonym, real_name))


async def suggestion(deps: Community, ctx: CommandContext, space_id: str) -> str | None:
    """A pseudonym an invited member may take (None in a space that shows names)."""
    await deps.enforce_enabled(ctx, "suggest_pseudonym", "space", space_id)
    space = await deps.space(ctx.tenant_id, space_id)
    member = space.members.get(ctx.actor.id)
    if member is None or member.status == "left":
        raise NotFound("there is no such space")
    if not space.pseudonymous:
        return None
    return member.pseudonym or pseudonyms.suggest(
        deps.handle(ctx.tenant_id, space_id, ctx.actor.id), space.taken(but=ctx.actor.id))


async def leave(deps: Community, ctx: CommandContext, space_id: str,
                handle: str | None = None) -> Written:
    """The caller leaves; or, with ``handle``, the coach removes that member."""
    await deps.enforce_enabled(ctx, "leave_space", "space", space_id)
    space = await deps.space(ctx.tenant_id, space_id)
    domain.require_member(space, ctx.actor.id)
    user_id = ctx.actor.id
    if handle is not None:
        domain.require_coach(space, ctx.actor.id, "removes members")
        found = [u for u, m in space.members.items() if m.handle == handle and
                 m.status == "joined"]
        if not found or found[0] == space.coach_id:
            raise NotFound("there is no such member in this space")
        user_id = found[0]
    elif user_id == space.coach_id:
        raise InvalidState("the coach holds the space and cannot leave it")
    reason: ev.LeaveReason = "removed" if handle is not None else "left"
    return await execute(deps, ctx, space_id,
                          lambda s: domain.leave(s, ctx.actor.id, user_id, reason))


async def reveal(deps: Community, ctx: CommandContext, space_id: str, handle: str,
                 reason: str) -> tuple[Written, str]:
    """The coach learns who is behind a pseudonym; returns the user id too."""
    await deps.enforce_enabled(ctx, "reveal_pseudonym", "space", space_id)
    space = await deps.space(ctx.tenant_id, space_id)
    written = await execute(deps, ctx, space_id,
                             lambda s: domain.reveal(s, ctx.actor.id, handle, reason))
    return written, next(u for u, m in space.members.items() if m.handle == handle)


async def slow_mode(deps: Community, ctx: CommandContext, space_id: str,
                    seconds: int) -> Written:
    await deps.enforce_enabled(ctx, "set_slow_mode", "space", space_id)
    await deps.space(ctx.tenant_id, space_id)
    return await execute(deps, ctx, space_id,
                          lambda s: domain.slow_mode(s, ctx.actor.id, seconds))


async def mark_read(deps: Community, ctx: CommandContext, space_id: str) -> Written:
    """The member has read the feed up to now: the unread count starts again from here."""
    await deps.enforce_enabled(ctx, "read_feed", "space", space_id)
    space = await deps.space(ctx.tenant_id, space_id)
    member = domain.require_member(space, ctx.actor.id)
    reading_id = f"{space_id}_{member.handle}"
    position = await deps.readings.execute_position(
        ctx.tenant_id, reading_id,
        lambda s: reading_domain.mark(s, space_id, ctx.actor.id, ctx.now), ctx)
    return Written(space_id, position)


async def step_out(deps: Community, ctx: CommandContext, space_id: str,
                   peer_handle: str | None, understood: bool) -> Written:
    """The member shows their name to one peer, or to the whole space (their act alone). An
    organisation whose policy requires pseudonyms (``community.pseudonyms``) refuses it."""
    await deps.enforce_enabled(ctx, "step_out", "space", space_id)
    await deps.space(ctx.tenant_id, space_id)
    await across.guest_steps_out(deps, ctx, space_id)
    await deps.policy.enforce_choice(ctx.tenant_id, PSEUDONYMS, ("allowed", "forbidden"),
                                     actor=ctx.actor, action="step_out",
                                     resource_type="space", resource_id=space_id)
    return await execute(deps, ctx, space_id,
                          lambda s: domain.step_out(s, ctx.actor.id, peer_handle, understood))


async def step_back(deps: Community, ctx: CommandContext, space_id: str,
                    understood: bool) -> Written:
    """The member is shown by pseudonym to everyone again (never refused by policy: going
    back to the pseudonym is always allowed)."""
    await deps.enforce_enabled(ctx, "step_back", "space", space_id)
    await deps.space(ctx.tenant_id, space_id)
    return await execute(deps, ctx, space_id,
                          lambda s: domain.step_back(s, ctx.actor.id, understood))
