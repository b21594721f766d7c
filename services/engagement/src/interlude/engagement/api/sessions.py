"""Sessions of a contract: schedule, list, reschedule, cancel, mark held."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from interlude.engagement.api.deps import (
    ContextDep,
    ContractId,
    EngagementDep,
    IdempotencyKey,
    ItemId,
)
from interlude.engagement.api.schemas import Cancellation, SessionCreate, SessionMove
from interlude.engagement.app import sessions
from interlude.engagement.domain.contract import content_party
from interlude.shared.kit import WrittenPublic

router = APIRouter(prefix="/v1/contracts/{contract_id}/sessions", tags=["sessions"])


@router.get("")
async def planned_and_held(contract_id: ContractId, ctx: ContextDep,
                           deps: EngagementDep) -> dict[str, Any]:
    """Every session of the contract, and the plan: planned against held."""
    contract = await deps.contract(ctx.tenant_id, contract_id)
    content_party(contract, ctx.actor.id)
    plan = contract.terms.sessions if contract.terms else None
    return {"planned": plan.count if plan else None, "held": contract.held,
            "scheduled": contract.upcoming,
            "sessions": [{"id": s.session_id, "starts_at": s.starts_at, "minutes": s.minutes,
                          "mode": s.mode, "status": s.status, "cancelled_by": s.cancelled_by}
                         for s in sorted(contract.sessions, key=lambda s: s.starts_at)]}


@router.post("", status_code=201)
async def schedule(contract_id: ContractId, body: SessionCreate, ctx: ContextDep,
                   deps: EngagementDep, key: IdempotencyKey = None) -> WrittenPublic:
    written = await sessions.schedule(deps, ctx, contract_id, starts_at=body.starts_at,
                                      minutes=body.minutes, mode=body.mode, idempotency_key=key)
    return WrittenPublic.of(written)


@router.patch("/{session_id}")
async def reschedule(contract_id: ContractId, session_id: ItemId, body: SessionMove,
                     ctx: ContextDep, deps: EngagementDep) -> WrittenPublic:
    written = await sessions.reschedule(deps, ctx, contract_id, session_id, body.starts_at)
    return WrittenPublic.of(written)


@router.post("/{session_id}/cancellation")
async def cancel(contract_id: ContractId, session_id: ItemId, body: Cancellation,
                 ctx: ContextDep, deps: EngagementDep) -> WrittenPublic:
    written = await sessions.cancel(deps, ctx, contract_id, session_id, body.reason)
    return WrittenPublic.of(written)


@router.post("/{session_id}/held")
async def held(contract_id: ContractId, session_id: ItemId, ctx: ContextDep,
               deps: EngagementDep) -> WrittenPublic:
    written = await sessions.mark_held(deps, ctx, contract_id, session_id)
    return WrittenPublic.of(written)
