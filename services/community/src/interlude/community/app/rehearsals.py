"""Rehearsals: a member drafts a post, the coach gives feedback, the member publishes it to the
space or drops it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from interlude.community.app.deps import Community, Written
from interlude.community.domain import events as ev
from interlude.community.domain import post as post_domain
from interlude.community.domain import rehearsal as domain
from interlude.community.domain.errors import NotAllowed, NotFound
from interlude.community.domain.rehearsal import Rehearsal
from interlude.shared.events.envelope import CommandContext
from interlude.shared.events.registry import Event


async def draft(deps: Community, ctx: CommandContext, space_id: str, *, kind: ev.PostKind,
                body: str, idempotency_key: str | None = None) -> Written:
    rehearsal_id = deps.new_id(ctx, "rehearsal", idempotency_key)
    await deps.enforce_enabled(ctx, "draft_rehearsal", "space", space_id)
    space = await deps.space(ctx.tenant_id, space_id)
    events = domain.draft(space, space_id, ctx.actor.id, kind, body)
    result = await deps.rehearsals.create(ctx.tenant_id, rehearsal_id, events, ctx,
                                          idempotency_key)
    return Written(rehearsal_id, result.position)


async def load(deps: Community, ctx: CommandContext, space_id: str,
               rehearsal_id: str) -> Rehearsal:
    state = domain.seen_by((await deps.rehearsals.load(ctx.tenant_id, rehearsal_id)).state,
                           ctx.actor.id)
    if state.space_id != space_id:
        raise NotFound("there is no such rehearsal")
    return state


async def _act(deps: Community, ctx: CommandContext, space_id: str, rehearsal_id: str,
               action: str, decide: Callable[[Rehearsal], Sequence[Event]]) -> Written:
    await deps.enforce_enabled(ctx, action, "rehearsal", rehearsal_id)
    await load(deps, ctx, space_id, rehearsal_id)
    position = await deps.rehearsals.execute_position(ctx.tenant_id, rehearsal_id, decide, ctx)
    return Written(rehearsal_id, position)


async def revise(deps: Community, ctx: CommandContext, space_id: str, rehearsal_id: str,
                 body: str) -> Written:
    return await _act(deps, ctx, space_id, rehearsal_id, "revise_rehearsal",
                      lambda r: domain.revise(r, ctx.actor.id, body))


async def feedback(deps: Community, ctx: CommandContext, space_id: str, rehearsal_id: str,
                   body: str) -> Written:
    return await _act(deps, ctx, space_id, rehearsal_id, "rehearsal_feedback",
                      lambda r: domain.feedback(r, ctx.actor.id, body))


async def drop(deps: Community, ctx: CommandContext, space_id: str,
               rehearsal_id: str) -> Written:
    return await _act(deps, ctx, space_id, rehearsal_id, "drop_rehearsal",
                      lambda r: domain.drop(r, ctx.actor.id))


async def _latest_body(deps: Community, tenant_id: str, rehearsal_id: str) -> str:
    """The draft's text as last revised, read from the events themselves (the aggregate's
    state, which is snapshotted, never holds content)."""
    read = await deps.store.read(deps.rehearsals.subject(tenant_id, rehearsal_id), 0)
    body = None
    for commit in read.commits:
        for envelope in commit.envelopes:
            event = await deps.codec.decode(envelope)
            if isinstance(event, ev.RehearsalDrafted | ev.RehearsalRevised):
                body = event.body
    if body is None or body.is_erased:
        raise NotFound("there is no such rehearsal")
    return body.reveal()


async def publish(deps: Community, ctx: CommandContext, space_id: str,
                  rehearsal_id: str) -> Written:
    """The rehearsal becomes a post in the space. The post's id is the rehearsal's, so a retry
    after a failure between the two appends completes the publication instead of doubling it."""
    await deps.enforce_enabled(ctx, "publish_rehearsal", "rehearsal", rehearsal_id)
    state = await load(deps, ctx, space_id, rehearsal_id)
    space = await deps.space(ctx.tenant_id, space_id)
    post_id = rehearsal_id
    if state.status != "published":
        await deps.rehearsals.execute(
            ctx.tenant_id, rehearsal_id,
            lambda r: domain.publish(r, space, ctx.actor.id, post_id), ctx)
    elif state.author_id != ctx.actor.id:
        raise NotAllowed("the author publishes a rehearsal")
    existing = await deps.posts.load(ctx.tenant_id, post_id)
    if existing.state.exists:
        return Written(post_id, existing.version)
    body = await _latest_body(deps, ctx.tenant_id, rehearsal_id)
    events = post_domain.publish(space, space_id, ctx.actor.id, state.kind, body,
                                 rehearsal_id=rehearsal_id)
    result = await deps.posts.create(ctx.tenant_id, post_id, events, ctx)
    return Written(post_id, result.position)
