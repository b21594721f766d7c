"""Rehearsals: drafts only their author and the coach see, until published."""

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
from interlude.community.api.public import RehearsalReadPublic, RehearsalsPublic
from interlude.community.api.schemas import PostCreate, PostEdit
from interlude.community.app import reads, rehearsals
from interlude.shared.kit import WrittenPublic

router = APIRouter(prefix="/v1/community/spaces/{space_id}/rehearsals", tags=["rehearsals"])


@router.post("", status_code=201, responses=WRITE_PROBLEMS)
async def draft(space_id: SpaceId, body: PostCreate, ctx: ContextDep, deps: CommunityDep,
                key: IdempotencyKey = None) -> WrittenPublic:
    """Try a new behaviour in a draft and ask the coach for feedback first."""
    return WrittenPublic.of(await rehearsals.draft(deps, ctx, space_id, kind=body.kind,
                                                   body=body.body, idempotency_key=key))


@router.get("", response_model=RehearsalsPublic, **READ)
async def list_(space_id: SpaceId, ctx: ContextDep, deps: CommunityDep, request: Request,
                after: After = 0) -> dict[str, Any]:
    fresh = await caught_up(request, after)
    return {"rehearsals": await reads.rehearsals(deps, ctx, space_id), "fresh": fresh}


@router.get("/{rehearsal_id}", response_model=RehearsalReadPublic, **READ)
async def read(space_id: SpaceId, rehearsal_id: ItemId, ctx: ContextDep, deps: CommunityDep,
               request: Request, after: After = 0) -> dict[str, Any]:
    fresh = await caught_up(request, after)
    return {**await reads.rehearsal(deps, ctx, space_id, rehearsal_id), "fresh": fresh}


@router.patch("/{rehearsal_id}", responses=WRITE_PROBLEMS)
async def revise(space_id: SpaceId, rehearsal_id: ItemId, body: PostEdit, ctx: ContextDep,
                 deps: CommunityDep) -> WrittenPublic:
    return WrittenPublic.of(await rehearsals.revise(deps, ctx, space_id, rehearsal_id, body.body))


@router.post("/{rehearsal_id}/feedback", responses=WRITE_PROBLEMS)
async def feedback(space_id: SpaceId, rehearsal_id: ItemId, body: PostEdit, ctx: ContextDep,
                   deps: CommunityDep) -> WrittenPublic:
    return WrittenPublic.of(await rehearsals.feedback(deps, ctx, space_id, rehearsal_id, body.body))


@router.post("/{rehearsal_id}/publish", responses=WRITE_PROBLEMS)
async def publish(space_id: SpaceId, rehearsal_id: ItemId, ctx: ContextDep,
                  deps: CommunityDep) -> WrittenPublic:
    """The draft becomes a post in the space (the post's id is the rehearsal's)."""
    return WrittenPublic.of(await rehearsals.publish(deps, ctx, space_id, rehearsal_id))


@router.post("/{rehearsal_id}/drop", responses=WRITE_PROBLEMS)
async def drop(space_id: SpaceId, rehearsal_id: ItemId, ctx: ContextDep,
               deps: CommunityDep) -> WrittenPublic:
    return WrittenPublic.of(await rehearsals.drop(deps, ctx, space_id, rehearsal_id))
