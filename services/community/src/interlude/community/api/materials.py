"""Materials a space's coach shares with its members."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from interlude.community.api.deps import (
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
from interlude.community.api.public import CohortMaterialsPublic
from interlude.community.api.schemas import MaterialCreate
from interlude.community.app import materials
from interlude.shared.kit import WrittenPublic

router = APIRouter(prefix="/v1/community/spaces/{space_id}/materials", tags=["materials"])


@router.get("", response_model=CohortMaterialsPublic, responses=READ_PROBLEMS)
async def list_(space_id: SpaceId, ctx: ContextDep, deps: CommunityDep, request: Request,
                after: After = 0) -> dict[str, Any]:
    """What the space's coach shared, newest first: for a member with when they opened it and
    did it, for the coach with every member's progress."""
    fresh = await caught_up(request, after)
    return {"materials": await materials.list_(deps, ctx, space_id), "fresh": fresh}


@router.post("", status_code=201, responses=WRITE_PROBLEMS)
async def share(space_id: SpaceId, body: MaterialCreate, ctx: ContextDep, deps: CommunityDep,
                key: IdempotencyKey = None) -> WrittenPublic:
    """The space's coach shares a reading, an exercise, a worksheet or a link with its
    members, with a note on why now (they are told). A link is stored, never fetched."""
    return WrittenPublic.of(await materials.share(
        deps, ctx, space_id, kind=body.kind, title=body.title, url=body.url, note=body.note,
        idempotency_key=key))


@router.post("/{material_id}/opened", responses=WRITE_PROBLEMS)
async def opened(space_id: SpaceId, material_id: ItemId, ctx: ContextDep,
                 deps: CommunityDep) -> WrittenPublic:
    """A member opened it (the coach sees it, once)."""
    return WrittenPublic.of(await materials.opened(deps, ctx, space_id, material_id))


@router.post("/{material_id}/done", responses=WRITE_PROBLEMS)
async def done(space_id: SpaceId, material_id: ItemId, ctx: ContextDep,
               deps: CommunityDep) -> WrittenPublic:
    """A member marks it done (a reflection on it is a post in the space)."""
    return WrittenPublic.of(await materials.done(deps, ctx, space_id, material_id))
