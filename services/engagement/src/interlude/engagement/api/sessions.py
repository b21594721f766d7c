"""Sessions of a contract: schedule, list, reschedule, cancel, mark held."""

from __future__ import annotations

from fastapi import APIRouter

from interlude.engagement.api.deps import (
    READS,
    WRITES,
    ContextDep,
    ContractId,
    EngagementDep,
    IdempotencyKey,
    ItemId,
)
from interlude.engagement.api.public import SessionsPublic, answer
from interlude.engagement.api.schemas import Cancellation, SessionCreate, SessionMove
from interlude.engagement.app import reads, sessions
from interlude.shared.kit import WrittenPublic

router = APIRouter(prefix="/v1/contracts/{contract_id}/sessions", tags=["sessions"])


@router.get("", responses=READS)
async def planned_and_held(contract_id: ContractId, ctx: ContextDep,
                           deps: EngagementDep) -> SessionsPublic:
    """Every session of the contract, and the plan: planned against held."""
    return answer(SessionsPublic, await reads.sessions(deps, ctx, contract_id))


@router.post("", status_code=201, responses=WRITES)
async def schedule(contract_id: ContractId, body: SessionCreate, ctx: ContextDep,
                   deps: EngagementDep, key: IdempotencyKey = None) -> WrittenPublic:
    written = await sessions.schedule(deps, ctx, contract_id, starts_at=body.starts_at,
                                      minutes=body.minutes, mode=body.mode, idempotency_key=key)
    return WrittenPublic.of(written)


@router.patch("/{session_id}", responses=WRITES)
async def reschedule(contract_id: ContractId, session_id: ItemId, body: SessionMove,
                     ctx: ContextDep, deps: EngagementDep) -> WrittenPublic:
    written = await sessions.reschedule(deps, ctx, contract_id, session_id, body.starts_at)
    return WrittenPublic.of(written)


@router.post("/{session_id}/cancellation", responses=WRITES)
async def cancel(contract_id: ContractId, session_id: ItemId, body: Cancellation,
                 ctx: ContextDep, deps: EngagementDep) -> WrittenPublic:
    written = await sessions.cancel(deps, ctx, contract_id, session_id, body.reason)
    return WrittenPublic.of(written)


@router.post("/{session_id}/held", responses=WRITES)
async def held(contract_id: ContractId, session_id: ItemId, ctx: ContextDep,
               deps: EngagementDep) -> WrittenPublic:
    written = await sessions.mark_held(deps, ctx, contract_id, session_id)
    return WrittenPublic.of(written)
