"""Posts and the gestures on them: publish (within slow mode), edit, withdraw, comment, react,
tag, share, pin as a key insight, report, hide and restore."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from interlude.community.app.deps import Community, Written
from interlude.community.domain import events as ev
from interlude.community.domain import pace
from interlude.community.domain import post as domain
from interlude.community.domain.errors import Invalid, NotAllowed, NotFound
from interlude.community.domain.post import Post
from interlude.community.domain.pseudonyms import key
from interlude.community.domain.space import Space, require_member
from interlude.community.projections import queries
from interlude.shared.events.envelope import CommandContext
from interlude.shared.events.registry import Event

TAGGING = "community.peer_tagging"


async def _slow_mode(deps: Community, ctx: CommandContext, space: Space, space_id: str,
                     post_id: str) -> None:
    """Count the post against slow mode on the member's pace aggregate (see domain.pace); the
    read model only tells of posts from before slow mode was on."""
    if not space.slow_mode_s or ctx.actor.id == space.coach_id:
        return
    member = require_member(space, ctx.actor.id)
    earlier = await queries.last_post_at(deps.pool, ctx.tenant_id, space_id, ctx.actor.id)
    await deps.paces.execute(
        ctx.tenant_id, pace.pace_id(space_id, member.handle),
        lambda s: pace.keep(s, space_id=space_id, user_id=ctx.actor.id, post_id=post_id,
                            now=ctx.now, slow_mode_s=space.slow_mode_s, earlier=earlier), ctx)


async def publish(deps: Community, ctx: CommandContext, space_id: str, *, kind: ev.PostKind,
                  body: str, idempotency_key: str | None = None) -> Written:
    post_id = deps.new_id(ctx, "post", idempotency_key)
    await deps.enforce_enabled(ctx, "publish_post", "space", space_id)
    space = await deps.space(ctx.tenant_id, space_id)
    events = domain.publish(space, space_id, ctx.actor.id, kind, body)
    await _slow_mode(deps, ctx, space, space_id, post_id)
    result = await deps.posts.create(ctx.tenant_id, post_id, events, ctx, idempotency_key)
    return Written(post_id, result.position)


async def _consents(deps: Community, tenant_id: str, space: Space, user_id: str,
                    consent: queries.Consent) -> bool:
    """Whether ``user_id`` gives ``consent`` in ``space``: a coachee through their active
    contract with the space's coach; the coach, and a coach in a peer circle, do."""
    if user_id == space.coach_id or space.kind == "peer_circle":
        return True
    return await queries.gives_consent(deps.pool, tenant_id, space.coach_id, user_id,
                                         consent)


async def post_in(deps: Community, tenant_id: str, space_id: str,
                  post_id: str) -> tuple[Space, Post]:
    space = await deps.space(tenant_id, space_id)
    post = (await deps.posts.load(tenant_id, post_id)).state
    if not post.exists or post.space_id != space_id:
        raise NotFound("there is no such post")
    return space, post


async def _act(deps: Community, ctx: CommandContext, space_id: str, post_id: str, action: str,
               decide: Callable[[Space, Post], Sequence[Event]]) -> Written:
    await deps.enforce_enabled(ctx, action, "post", post_id)
    space, _ = await post_in(deps, ctx.tenant_id, space_id, post_id)
    require_member(space, ctx.actor.id)
    position = await deps.posts.execute_position(ctx.tenant_id, post_id,
                                                 lambda p: decide(space, p), ctx)
    return Written(post_id, position)


async def edit(deps: Community, ctx: CommandContext, space_id: str, post_id: str,
               body: str) -> Written:
    return await _act(deps, ctx, space_id, post_id, "edit_post",
                      lambda s, p: domain.edit(p, s, ctx.actor.id, body))


async def withdraw(deps: Community, ctx: CommandContext, space_id: str,
                   post_id: str) -> Written:
    return await _act(deps, ctx, space_id, post_id, "withdraw_post",
                      lambda s, p: domain.withdraw(p, s, ctx.actor.id))


async def comment(deps: Community, ctx: CommandContext, space_id: str, post_id: str, *,
                  body: str, parent_id: str | None,
                  idempotency_key: str | None = None) -> Written:
    comment_id = deps.new_id(ctx, "comment", idempotency_key)
    written = await _act(deps, ctx, space_id, post_id, "comment", lambda s, p: domain.comment(
        p, s, ctx.actor.id, comment_id, parent_id, body))
    return Written(comment_id, written.position)


async def withdraw_comment(deps: Community, ctx: CommandContext, space_id: str, post_id: str,
                           comment_id: str) -> Written:
    return await _act(deps, ctx, space_id, post_id, "withdraw_comment",
                      lambda s, p: domain.withdraw_comment(p, s, ctx.actor.id, comment_id))


async def react(deps: Community, ctx: CommandContext, space_id: str, post_id: str,
                reaction: ev.Reaction, on: bool) -> Written:
    return await _act(deps, ctx, space_id, post_id, "react",
                      lambda s, p: domain.react(p, s, ctx.actor.id, reaction, on))


def _member_by(space: Space, handle: str | None, pseudonym: str | None) -> str:
    """The user id behind a member's handle or pseudonym (peers never see user ids)."""
    if (handle is None) == (pseudonym is None):
        raise Invalid("name the member by exactly one of handle or pseudonym", field="member")
    for user_id, member in space.members.items():
        if member.status != "joined":
            continue
        if handle is not None and member.handle == handle:
            return user_id
        if pseudonym is not None and member.pseudonym and \
                key(member.pseudonym) == key(pseudonym):
            return user_id
    if handle is not None and handle == space.coach_handle:
        return space.coach_id
    raise NotFound("there is no such member in this space", field="member")


async def tag(deps: Community, ctx: CommandContext, space_id: str, post_id: str, *,
              handle: str | None, pseudonym: str | None) -> Written:
    await deps.enforce_enabled(ctx, "tag_member", "post", post_id)
    await deps.policy.enforce(ctx.tenant_id, TAGGING, actor=ctx.actor, action="tag_member",
                              resource_type="post", resource_id=post_id)
    space, _ = await post_in(deps, ctx.tenant_id, space_id, post_id)
    require_member(space, ctx.actor.id)
    tagged_id = _member_by(space, handle, pseudonym)
    consents = await _consents(deps, ctx.tenant_id, space, tagged_id,
                                      "peer_tagging")
    return await _act(deps, ctx, space_id, post_id, "tag_member",
                      lambda s, p: domain.tag(p, s, ctx.actor.id, tagged_id, consents))


async def share(deps: Community, ctx: CommandContext, space_id: str, post_id: str) -> Written:
    await deps.enforce_enabled(ctx, "share_post", "post", post_id)
    space, post = await post_in(deps, ctx.tenant_id, space_id, post_id)
    consents = await _consents(deps, ctx.tenant_id, space, post.author_id,
                                      "share_posts")
    return await _act(deps, ctx, space_id, post_id, "share_post",
                      lambda s, p: domain.share(p, s, ctx.actor.id, consents))


async def pin(deps: Community, ctx: CommandContext, space_id: str, post_id: str,
              note: str | None) -> Written:
    await deps.enforce_enabled(ctx, "pin_insight", "post", post_id)
    space, post = await post_in(deps, ctx.tenant_id, space_id, post_id)
    consents = await _consents(deps, ctx.tenant_id, space, post.author_id,
                                      "pin_insights")
    return await _act(deps, ctx, space_id, post_id, "pin_insight",
                      lambda s, p: domain.pin(p, s, ctx.actor.id, note, consents))


async def unpin(deps: Community, ctx: CommandContext, space_id: str, post_id: str) -> Written:
    def decide(space: Space, post: Post) -> Sequence[Event]:
        domain.visible(post, space, ctx.actor.id)
        if ctx.actor.id != space.coach_id:
            raise NotAllowed("only the space's coach unpins insights")
        return domain.unpin(post, "coach")

    return await _act(deps, ctx, space_id, post_id, "unpin_insight", decide)


async def report(deps: Community, ctx: CommandContext, space_id: str, post_id: str,
                 reason: str) -> Written:
    return await _act(deps, ctx, space_id, post_id, "report_post", lambda s, p: domain.report(
        p, s, ctx.actor.id, reason, deps.reports_to_hide))


async def hide(deps: Community, ctx: CommandContext, space_id: str, post_id: str) -> Written:
    return await _act(deps, ctx, space_id, post_id, "hide_post",
                      lambda s, p: domain.hide(p, s, ctx.actor.id))


async def restore(deps: Community, ctx: CommandContext, space_id: str, post_id: str) -> Written:
    return await _act(deps, ctx, space_id, post_id, "restore_post",
                      lambda s, p: domain.restore(p, s, ctx.actor.id))
