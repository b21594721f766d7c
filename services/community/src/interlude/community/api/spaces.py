"""Spaces and their members, and the feed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from interlude.community.api.deps import (
    READ,
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    After,
    CommunityDep,
    ContextDep,
    IdempotencyKey,
    ItemId,
    SpaceId,
    caught_up,
)
from interlude.community.api.public import (
    FeedPublic,
    ModerationPublic,
    RevealedPublic,
    SpacePublic,
    SpacesPublic,
    SuggestionPublic,
)
from interlude.community.api.schemas import (
    Invitation,
    Join,
    Reveal,
    SlowModeBody,
    SpaceCreate,
    StepBack,
    StepOut,
)
from interlude.community.app import feed, reads, spaces
from interlude.community.domain.space import About
from interlude.shared.kit import WrittenPublic

router = APIRouter(prefix="/v1/community", tags=["spaces"])
Limit = Annotated[int, Query(ge=1, le=100)]


@router.post("/spaces", status_code=201, responses=WRITE_PROBLEMS)
async def create(body: SpaceCreate, ctx: ContextDep, deps: CommunityDep,
                 key: IdempotencyKey = None) -> WrittenPublic:
    """A coach opens a cohort around a shared challenge, or a peer circle of coaches."""
    about = About(methodology=body.methodology, challenges=tuple(body.challenges),
                  context=body.context, findable=body.findable)
    return WrittenPublic.of(await spaces.create(
        deps, ctx, kind=body.kind, name=body.name, description=body.description,
        pseudonymous=body.pseudonymous, about=about, idempotency_key=key))


@router.get("/spaces", response_model=SpacesPublic, **READ)
async def list_(ctx: ContextDep, deps: CommunityDep, request: Request,
                after: After = 0) -> dict[str, Any]:
    fresh = await caught_up(request, after)
    return {"spaces": await reads.spaces(deps, ctx), "fresh": fresh}


@router.get("/spaces/{space_id}", response_model=SpacePublic, **READ)
async def get(space_id: SpaceId, ctx: ContextDep, deps: CommunityDep, request: Request,
              after: After = 0) -> dict[str, Any]:
    fresh = await caught_up(request, after)
    return {**await reads.space(deps, ctx, space_id), "fresh": fresh}


@router.post("/spaces/{space_id}/invitations", responses=WRITE_PROBLEMS)
async def invite(space_id: SpaceId, body: Invitation, ctx: ContextDep,
                 deps: CommunityDep) -> WrittenPublic:
    """The coach invites a coachee whose active contract agrees community participation
    here (in a peer circle: a coach)."""
    return WrittenPublic.of(await spaces.invite(deps, ctx, space_id, body.user_id))


@router.get("/spaces/{space_id}/pseudonym-suggestion", responses=READ_PROBLEMS)
async def suggestion(space_id: SpaceId, ctx: ContextDep,
                     deps: CommunityDep) -> SuggestionPublic:
    return SuggestionPublic(pseudonym=await spaces.suggestion(deps, ctx, space_id))


@router.post("/spaces/{space_id}/join", responses=WRITE_PROBLEMS)
async def join(space_id: SpaceId, body: Join, ctx: ContextDep,
               deps: CommunityDep) -> WrittenPublic:
    return WrittenPublic.of(await spaces.join(deps, ctx, space_id, body.pseudonym))


@router.post("/spaces/{space_id}/leave", responses=WRITE_PROBLEMS)
async def leave(space_id: SpaceId, ctx: ContextDep, deps: CommunityDep) -> WrittenPublic:
    return WrittenPublic.of(await spaces.leave(deps, ctx, space_id))


@router.delete("/spaces/{space_id}/members/{handle}", responses=WRITE_PROBLEMS)
async def remove(space_id: SpaceId, handle: ItemId, ctx: ContextDep,
                 deps: CommunityDep) -> WrittenPublic:
    """The coach removes a member."""
    return WrittenPublic.of(await spaces.leave(deps, ctx, space_id, handle))


@router.post("/spaces/{space_id}/members/{handle}/reveal", responses=WRITE_PROBLEMS)
async def reveal(space_id: SpaceId, handle: ItemId, body: Reveal, ctx: ContextDep,
                 deps: CommunityDep) -> RevealedPublic:
    """Only the space's coach learns who is behind a pseudonym, with a reason the member is
    told; the reveal is an event, and audited."""
    written, user_id = await spaces.reveal(deps, ctx, space_id, handle, body.reason)
    return RevealedPublic(id=written.id, position=written.position, user_id=user_id)


@router.post("/spaces/{space_id}/step-out", responses=WRITE_PROBLEMS)
async def step_out(space_id: SpaceId, body: StepOut, ctx: ContextDep,
                   deps: CommunityDep) -> WrittenPublic:
    """In a pseudonymous space, show your name to one peer (``to``: their handle) or to the
    whole space; only there, by your act alone, recorded and audited. Confirm with
    ``understood``: what was seen was seen."""
    return WrittenPublic.of(await spaces.step_out(deps, ctx, space_id, body.to,
                                                  body.understood))


@router.post("/spaces/{space_id}/step-back", responses=WRITE_PROBLEMS)
async def step_back(space_id: SpaceId, body: StepBack, ctx: ContextDep,
                    deps: CommunityDep) -> WrittenPublic:
    """Be shown by your pseudonym to everyone in the space again."""
    return WrittenPublic.of(await spaces.step_back(deps, ctx, space_id, body.understood))


@router.put("/spaces/{space_id}/slow-mode", responses=WRITE_PROBLEMS)
async def slow_mode(space_id: SpaceId, body: SlowModeBody, ctx: ContextDep,
                    deps: CommunityDep) -> WrittenPublic:
    return WrittenPublic.of(await spaces.slow_mode(deps, ctx, space_id, body.seconds))


@router.get("/spaces/{space_id}/feed", response_model=FeedPublic, **READ)
async def read_feed(space_id: SpaceId, ctx: ContextDep, deps: CommunityDep, request: Request,
                    after: After = 0, limit: Limit = 20,
                    cursor: Annotated[str | None, Query(max_length=400)] = None
                    ) -> dict[str, Any]:
    """Pinned insights first, then newest; ``next_cursor`` pages on; ``unread`` counts what
    others posted since the caller last marked the feed read."""
    fresh = await caught_up(request, after)
    return {**await feed.feed(deps, ctx, space_id, limit=limit, cursor=cursor), "fresh": fresh}


@router.post("/spaces/{space_id}/read", responses=WRITE_PROBLEMS)
async def mark_read(space_id: SpaceId, ctx: ContextDep, deps: CommunityDep) -> WrittenPublic:
    return WrittenPublic.of(await spaces.mark_read(deps, ctx, space_id))


@router.get("/spaces/{space_id}/reports", response_model=ModerationPublic, **READ)
async def moderation(space_id: SpaceId, ctx: ContextDep, deps: CommunityDep, request: Request,
                     after: After = 0) -> dict[str, Any]:
    """The coach's queue: reported and hidden posts with the reasons given."""
    fresh = await caught_up(request, after)
    return {"posts": await reads.reports(deps, ctx, space_id), "fresh": fresh}
