"""Posts and the gestures on them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from interlude.community.api.deps import (
    READ,
    WRITE_PROBLEMS,
    After,
    CommunityDep,
    ContextDep,
    IdempotencyKey,
    ItemId,
    SpaceId,
    caught_up,
)
from interlude.community.api.public import PostThreadPublic
from interlude.community.api.schemas import (
    CommentCreate,
    Pin,
    PostCreate,
    PostEdit,
    Report,
    Tag,
)
from interlude.community.app import feed, posts
from interlude.community.domain.events import Reaction
from interlude.shared.kit import WrittenPublic, problems

router = APIRouter(prefix="/v1/community/spaces/{space_id}/posts", tags=["posts"])


@router.post("", status_code=201, responses={**WRITE_PROBLEMS, **problems(429)})
async def publish(space_id: SpaceId, body: PostCreate, ctx: ContextDep, deps: CommunityDep,
                  key: IdempotencyKey = None) -> WrittenPublic:
    """A reflection, a small win, an experiment or a question; in slow mode a second post too
    soon is a 429 that says when to retry."""
    return WrittenPublic.of(await posts.publish(deps, ctx, space_id, kind=body.kind,
                                                body=body.body, idempotency_key=key))


@router.get("/{post_id}", response_model=PostThreadPublic, **READ)
async def read(space_id: SpaceId, post_id: ItemId, ctx: ContextDep, deps: CommunityDep,
               request: Request, after: After = 0) -> dict[str, Any]:
    fresh = await caught_up(request, after)
    return {**await feed.post(deps, ctx, space_id, post_id), "fresh": fresh}


@router.patch("/{post_id}", responses=WRITE_PROBLEMS)
async def edit(space_id: SpaceId, post_id: ItemId, body: PostEdit, ctx: ContextDep,
               deps: CommunityDep) -> WrittenPublic:
    return WrittenPublic.of(await posts.edit(deps, ctx, space_id, post_id, body.body))


@router.delete("/{post_id}", responses=WRITE_PROBLEMS)
async def withdraw(space_id: SpaceId, post_id: ItemId, ctx: ContextDep,
                   deps: CommunityDep) -> WrittenPublic:
    return WrittenPublic.of(await posts.withdraw(deps, ctx, space_id, post_id))


@router.post("/{post_id}/comments", status_code=201, responses=WRITE_PROBLEMS)
async def comment(space_id: SpaceId, post_id: ItemId, body: CommentCreate, ctx: ContextDep,
                  deps: CommunityDep, key: IdempotencyKey = None) -> WrittenPublic:
    return WrittenPublic.of(await posts.comment(deps, ctx, space_id, post_id, body=body.body,
                                                parent_id=body.parent_id,
                                                idempotency_key=key))


@router.delete("/{post_id}/comments/{comment_id}", responses=WRITE_PROBLEMS)
async def withdraw_comment(space_id: SpaceId, post_id: ItemId, comment_id: ItemId,
                           ctx: ContextDep, deps: CommunityDep) -> WrittenPublic:
    return WrittenPublic.of(await posts.withdraw_comment(deps, ctx, space_id, post_id, comment_id))


@router.put("/{post_id}/reactions/{reaction}", responses=WRITE_PROBLEMS)
async def react(space_id: SpaceId, post_id: ItemId, reaction: Reaction, ctx: ContextDep,
                deps: CommunityDep) -> WrittenPublic:
    return WrittenPublic.of(await posts.react(deps, ctx, space_id, post_id, reaction, True))


@router.delete("/{post_id}/reactions/{reaction}", responses=WRITE_PROBLEMS)
async def unreact(space_id: SpaceId, post_id: ItemId, reaction: Reaction, ctx: ContextDep,
                  deps: CommunityDep) -> WrittenPublic:
    return WrittenPublic.of(await posts.react(deps, ctx, space_id, post_id, reaction, False))


@router.post("/{post_id}/tags", responses=WRITE_PROBLEMS)
async def tag(space_id: SpaceId, post_id: ItemId, body: Tag, ctx: ContextDep,
              deps: CommunityDep) -> WrittenPublic:
    """Tag a member by handle or pseudonym, where community.peer_tagging and their consent
    allow."""
    return WrittenPublic.of(await posts.tag(deps, ctx, space_id, post_id, handle=body.handle,
                                            pseudonym=body.pseudonym))


@router.post("/{post_id}/shares", responses=WRITE_PROBLEMS)
async def share(space_id: SpaceId, post_id: ItemId, ctx: ContextDep,
                deps: CommunityDep) -> WrittenPublic:
    """Bring someone's post to the space's attention again, where its author consents."""
    return WrittenPublic.of(await posts.share(deps, ctx, space_id, post_id))


@router.put("/{post_id}/pin", responses=WRITE_PROBLEMS)
async def pin(space_id: SpaceId, post_id: ItemId, body: Pin, ctx: ContextDep,
              deps: CommunityDep) -> WrittenPublic:
    """The coach pins a key insight (where its author consents); it tops the feed and joins
    the author's record on the coach's dashboard."""
    return WrittenPublic.of(await posts.pin(deps, ctx, space_id, post_id, body.note))


@router.delete("/{post_id}/pin", responses=WRITE_PROBLEMS)
async def unpin(space_id: SpaceId, post_id: ItemId, ctx: ContextDep,
                deps: CommunityDep) -> WrittenPublic:
    return WrittenPublic.of(await posts.unpin(deps, ctx, space_id, post_id))


@router.post("/{post_id}/reports", responses=WRITE_PROBLEMS)
async def report(space_id: SpaceId, post_id: ItemId, body: Report, ctx: ContextDep,
                 deps: CommunityDep) -> WrittenPublic:
    """Report with a reason; enough distinct reports hide the post until the coach decides."""
    return WrittenPublic.of(await posts.report(deps, ctx, space_id, post_id, body.reason))


@router.post("/{post_id}/hide", responses=WRITE_PROBLEMS)
async def hide(space_id: SpaceId, post_id: ItemId, ctx: ContextDep,
               deps: CommunityDep) -> WrittenPublic:
    return WrittenPublic.of(await posts.hide(deps, ctx, space_id, post_id))


@router.post("/{post_id}/restore", responses=WRITE_PROBLEMS)
async def restore(space_id: SpaceId, post_id: ItemId, ctx: ContextDep,
                  deps: CommunityDep) -> WrittenPublic:
    return WrittenPublic.of(await posts.restore(deps, ctx, space_id, post_id))
