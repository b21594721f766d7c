"""The message thread of a contract, its read receipts and its allowance counter."""

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
    caught_up,
)
from interlude.engagement.api.public import ThreadPublic, answer
from interlude.engagement.api.schemas import MessageCreate, ReadReceipt
from interlude.engagement.app import messages, reads
from interlude.shared.kit import MAX_INT32, WrittenPublic

router = APIRouter(prefix="/v1/contracts/{contract_id}/messages", tags=["messages"])


@router.post("", status_code=201, responses=WRITES)
async def send(contract_id: ContractId, body: MessageCreate, ctx: ContextDep,
               deps: EngagementDep, key: IdempotencyKey = None) -> WrittenPublic:
    """A coach reply beyond the month's allowance is refused with the renewal date (under
    per-message billing it is accepted and counted as billable)."""
    written = await messages.send(deps, ctx, contract_id, body=body.body,
                                  attachments=tuple(a.to_domain() for a in body.attachments),
                                  idempotency_key=key)
    return WrittenPublic.of(written)


@router.get("", response_model=ThreadPublic, response_model_exclude_unset=True,
            responses=CHANNEL_READS)
async def thread(contract_id: ContractId, ctx: ContextDep, deps: EngagementDep,
                 request: Request, after: After = 0,
                 since: Annotated[int, Query(ge=0, le=MAX_INT32,
                                              description="messages after this number")] = 0,
                 limit: Annotated[int, Query(ge=1, le=500)] = 100) -> ThreadPublic:
    fresh = await caught_up(request, after)
    return answer(ThreadPublic, await reads.messages(deps, ctx, contract_id, since, limit),
                  fresh)


@router.post("/read", responses=WRITES)
async def mark_read(contract_id: ContractId, body: ReadReceipt, ctx: ContextDep,
                    deps: EngagementDep) -> WrittenPublic:
    """A read receipt: the caller has read the thread up to message ``up_to``."""
    written = await messages.mark_read(deps, ctx, contract_id, body.up_to)
    return WrittenPublic.of(written)
