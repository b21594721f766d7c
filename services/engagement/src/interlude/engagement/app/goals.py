"""Goals and experiments of a contract."""

from __future__ import annotations

from typing import Literal

from interlude.engagement.app.deps import Engagement, Written
from interlude.engagement.domain import goal as domain
from interlude.shared.events.envelope import CommandContext


async def set_goal(deps: Engagement, ctx: CommandContext, contract_id: str, title: str,
                   idempotency_key: str | None = None) -> Written:
    contract = await deps.contract(ctx.tenant_id, contract_id)
    events = domain.set_goal(contract, contract_id, ctx.actor.id, title)
    goal_id = deps.new_id(ctx, "goal", idempotency_key)
    result = await deps.goals.create(ctx.tenant_id, goal_id, events, ctx, idempotency_key)
    return Written(goal_id, result.position)


async def note_progress(deps: Engagement, ctx: CommandContext, contract_id: str, goal_id: str,
                        note: str, progress: int | None) -> Written:
    contract = await deps.contract(ctx.tenant_id, contract_id)
    result = await deps.goals.execute(ctx.tenant_id, goal_id, lambda s: domain.note_progress(
        s, contract, contract_id, ctx.actor.id, note, progress), ctx)
    assert result is not None
    return Written(goal_id, result.position)


async def close_goal(deps: Engagement, ctx: CommandContext, contract_id: str, goal_id: str,
                     outcome: Literal["achieved", "dropped"]) -> Written:
    contract = await deps.contract(ctx.tenant_id, contract_id)
    result = await deps.goals.execute(ctx.tenant_id, goal_id, lambda s: domain.close_goal(
        s, contract, contract_id, ctx.actor.id, outcome), ctx)
    assert result is not None
    return Written(goal_id, result.position)


async def plan_experiment(deps: Engagement, ctx: CommandContext, contract_id: str, *,
                          goal_id: str | None, belief: str, behaviour: str,
                          idempotency_key: str | None = None) -> Written:
    contract = await deps.contract(ctx.tenant_id, contract_id)
    events = domain.plan_experiment(contract, contract_id, ctx.actor.id, goal_id, belief,
                                    behaviour)
    if goal_id is not None:
        goal = (await deps.goals.load(ctx.tenant_id, goal_id)).state
        if not goal.exists or goal.contract_id != contract_id:
            raise domain.NotFound("there is no such goal in this contract", field="goal_id")
    experiment_id = deps.new_id(ctx, "experiment", idempotency_key)
    result = await deps.experiments.create(ctx.tenant_id, experiment_id, events, ctx,
                                           idempotency_key)
    return Written(experiment_id, result.position)


async def report_experiment(deps: Engagement, ctx: CommandContext, contract_id: str,
                            experiment_id: str, result: str, learning: str) -> Written:
    contract = await deps.contract(ctx.tenant_id, contract_id)
    appended = await deps.experiments.execute(
        ctx.tenant_id, experiment_id, lambda s: domain.report_experiment(
            s, contract, contract_id, ctx.actor.id, result, learning), ctx)
    assert appended is not None
    return Written(experiment_id, appended.position)
