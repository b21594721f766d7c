"""Materials a coach shares with a coachee in their contract."""

from __future__ import annotations

from fastapi import APIRouter, Request

from interlude.engagement.api.deps import (
    READS,
    WRITES,
    After,
    ContextDep,
    ContractId,
    EngagementDep,
    IdempotencyKey,
    ItemId,
    caught_up,
)
from interlude.engagement.api.public import MaterialsPublic, answer
from interlude.engagement.api.schemas import MaterialCreate, MaterialDoneBody
from interlude.engagement.app import materials
from interlude.shared.kit import WrittenPublic

router = APIRouter(prefix="/v1/contracts/{contract_id}/materials", tags=["materials"])


@router.get("", responses=READS)
async def list_(contract_id: ContractId, ctx: ContextDep, deps: EngagementDep,
                request: Request, after: After = 0) -> MaterialsPublic:
    """What the coach shared, newest first, with when the coachee opened it and marked it
    done (for the contract's coach and coachee)."""
    fresh = await caught_up(request, after)
    return answer(MaterialsPublic, await materials.list_(deps, ctx, contract_id), fresh)


@router.post("", status_code=201, responses=WRITES)
async def share(contract_id: ContractId, body: MaterialCreate, ctx: ContextDep,
                deps: EngagementDep, key: IdempotencyKey = None) -> WrittenPublic:
    """The coach shares a reading, an exercise, a worksheet or a link, with a note on why
    now. A link is stored and shown, never fetched."""
    return WrittenPublic.of(await materials.share(
        deps, ctx, contract_id, kind=body.kind, title=body.title, url=body.url,
        note=body.note, idempotency_key=key))


@router.post("/{material_id}/opened", responses=WRITES)
async def opened(contract_id: ContractId, material_id: ItemId, ctx: ContextDep,
                 deps: EngagementDep) -> WrittenPublic:
    """The coachee opened it (the coach's dashboard counts it, once)."""
    return WrittenPublic.of(await materials.opened(deps, ctx, contract_id, material_id))


@router.post("/{material_id}/done", responses=WRITES)
async def done(contract_id: ContractId, material_id: ItemId, body: MaterialDoneBody,
               ctx: ContextDep, deps: EngagementDep) -> WrittenPublic:
    """The coachee marks it done, with a reflection if they like."""
    return WrittenPublic.of(await materials.done(deps, ctx, contract_id, material_id,
                                                 body.reflection))
