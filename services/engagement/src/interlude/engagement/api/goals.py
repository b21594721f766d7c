"""Goals and experiments of a contract."""

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
from interlude.engagement.api.public import GoalsPublic, answer
from interlude.engagement.api.schemas import (
    ExperimentCreate,
    ExperimentReport,
    GoalClosing,
    GoalCreate,
    ProgressNote,
)
from interlude.engagement.app import goals, reads
from interlude.shared.kit import WrittenPublic

router = APIRouter(prefix="/v1/contracts/{contract_id}", tags=["goals"])


@router.get("/goals", responses=READS)
async def list_(contract_id: ContractId, ctx: ContextDep, deps: EngagementDep,
                request: Request, after: After = 0) -> GoalsPublic:
    """Goals with their progress notes, and experiments."""
    fresh = await caught_up(request, after)
    return answer(GoalsPublic, await reads.goals(deps, ctx, contract_id), fresh)


@router.post("/goals", status_code=201, responses=WRITES)
async def set_goal(contract_id: ContractId, body: GoalCreate, ctx: ContextDep,
                   deps: EngagementDep, key: IdempotencyKey = None) -> WrittenPublic:
    written = await goals.set_goal(deps, ctx, contract_id, body.title, key)
    return WrittenPublic.of(written)


@router.post("/goals/{goal_id}/progress", status_code=201, responses=WRITES)
async def note_progress(contract_id: ContractId, goal_id: ItemId, body: ProgressNote,
                        ctx: ContextDep, deps: EngagementDep) -> WrittenPublic:
    written = await goals.note_progress(deps, ctx, contract_id, goal_id, body.note,
                                        body.progress)
    return WrittenPublic.of(written)


@router.post("/goals/{goal_id}/closing", responses=WRITES)
async def close_goal(contract_id: ContractId, goal_id: ItemId, body: GoalClosing,
                     ctx: ContextDep, deps: EngagementDep) -> WrittenPublic:
    written = await goals.close_goal(deps, ctx, contract_id, goal_id, body.outcome)
    return WrittenPublic.of(written)


@router.post("/experiments", status_code=201, responses=WRITES)
async def plan_experiment(contract_id: ContractId, body: ExperimentCreate, ctx: ContextDep,
                          deps: EngagementDep, key: IdempotencyKey = None) -> WrittenPublic:
    """A belief to test and the behaviour to try."""
    written = await goals.plan_experiment(deps, ctx, contract_id, goal_id=body.goal_id,
                                          belief=body.belief, behaviour=body.behaviour,
                                          idempotency_key=key)
    return WrittenPublic.of(written)


@router.post("/experiments/{experiment_id}/report", responses=WRITES)
async def report_experiment(contract_id: ContractId, experiment_id: ItemId,
                            body: ExperimentReport, ctx: ContextDep,
                            deps: EngagementDep) -> WrittenPublic:
    """The result, and what was learnt."""
    written = await goals.report_experiment(deps, ctx, contract_id, experiment_id, body.result,
                                            body.learning)
    return WrittenPublic.of(written)
