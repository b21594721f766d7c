"""Check-ins: the coachee posts, the coach acknowledges, both read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from interlude.engagement.api.deps import (
    CHANNEL_READS,
    WRITES,
    After,
    ContextDep,
    ContractId,
    EngagementDep,
    IdempotencyKey,
    ItemId,
    caught_up,
)
from interlude.engagement.api.public import CheckInsPublic, answer
from interlude.engagement.api.schemas import Acknowledgement, CheckInCreate
from interlude.engagement.app import checkins, reads
from interlude.shared.kit import Instant, WrittenPublic

router = APIRouter(prefix="/v1/contracts/{contract_id}/check-ins", tags=["check-ins"])


@router.post("", status_code=201, responses=WRITES)
async def post(contract_id: ContractId, body: CheckInCreate, ctx: ContextDep,
               deps: EngagementDep, key: IdempotencyKey = None) -> WrittenPublic:
    written = await checkins.post(deps, ctx, contract_id, text=body.text, mood=body.mood,
                                  small_win=body.small_win, goal_id=body.goal_id,
                                  experiment_id=body.experiment_id, idempotency_key=key)
    return WrittenPublic.of(written)


@router.get("", responses=CHANNEL_READS)
async def list_(contract_id: ContractId, ctx: ContextDep, deps: EngagementDep,
                request: Request, after: After = 0,
                limit: Annotated[int, Query(ge=1, le=200)] = 50,
                before: Annotated[Instant | None, Query()] = None) -> CheckInsPublic:
    """Newest first; page with ``before`` = the oldest ``posted_at`` seen."""
    fresh = await caught_up(request, after)
    items = await reads.check_ins(deps, ctx, contract_id, limit, before)
    return answer(CheckInsPublic, {"check_ins": items}, fresh)


@router.post("/{checkin_id}/acknowledgements", responses=WRITES)
async def acknowledge(contract_id: ContractId, checkin_id: ItemId, body: Acknowledgement,
                      ctx: ContextDep, deps: EngagementDep) -> WrittenPublic:
    """The coach answers with a like or a question."""
    written = await checkins.acknowledge(deps, ctx, contract_id, checkin_id, body.kind,
                                         body.question)
    return WrittenPublic.of(written)
