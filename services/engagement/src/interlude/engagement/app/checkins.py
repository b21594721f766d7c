"""Check-ins: the coachee posts, the coach acknowledges."""

from __future__ import annotations

from typing import Literal

from interlude.engagement.app.deps import Engagement, Written
from interlude.engagement.domain import checkin as domain
from interlude.engagement.domain.errors import NotFound
from interlude.shared.events.envelope import CommandContext

KEY = "checkins.enabled"


async def _check_link(deps: Engagement, ctx: CommandContext, contract_id: str,
                      goal_id: str | None, experiment_id: str | None) -> None:
    if goal_id is not None:
        goal = (await deps.goals.load(ctx.tenant_id, goal_id)).state
        if not goal.exists or goal.contract_id != contract_id:
            raise NotFound("there is no such goal in this contract", field="goal_id")
    if experiment_id is not None:
        experiment = (await deps.experiments.load(ctx.tenant_id, experiment_id)).state
        if not experiment.exists or experiment.contract_id != contract_id:
            raise NotFound("there is no such experiment in this contract",
                           field="experiment_id")


async def post(deps: Engagement, ctx: CommandContext, contract_id: str, *, text: str,
               mood: int | None, small_win: bool, goal_id: str | None = None,
               experiment_id: str | None = None, idempotency_key: str | None = None) -> Written:
    await deps.enforce(ctx, KEY, "post_check_in", "contract", contract_id)
    contract = await deps.contract(ctx.tenant_id, contract_id)
    events = domain.post(contract, contract_id, ctx.actor.id, text, mood, small_win, goal_id,
                         experiment_id)
    await _check_link(deps, ctx, contract_id, goal_id, experiment_id)
    checkin_id = deps.new_id(ctx, "checkin", idempotency_key)
    result = await deps.checkins.create(ctx.tenant_id, checkin_id, events, ctx, idempotency_key)
    return Written(checkin_id, result.position)


async def acknowledge(deps: Engagement, ctx: CommandContext, contract_id: str, checkin_id: str,
                      kind: Literal["like", "question"], question: str | None) -> Written:
    await deps.enforce(ctx, KEY, "acknowledge_check_in", "checkin", checkin_id)
    contract = await deps.contract(ctx.tenant_id, contract_id)
    position = await deps.checkins.execute_position(
        ctx.tenant_id, checkin_id,
        lambda s: domain.acknowledge(s, contract, contract_id, ctx.actor.id, kind, question), ctx)
    return Written(checkin_id, position)
