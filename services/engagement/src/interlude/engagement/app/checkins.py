"""Check-ins: the coachee posts, the coach acknowledges."""

from __future__ import annotations

from typing import Literal

from interlude.engagement.app.deps import Engagement, Written
from interlude.engagement.domain import checkin as domain
from interlude.engagement.domain.errors import NotFound
from interlude.shared.events.envelope import CommandContext
from interlude.shared.eventstore.base import ConcurrencyError

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
    """The check-in is decided on the contract as this process has it cached, and appended
    on the condition that the contract has not moved on since: a contract ended or amended
    through another process is read again and the check-in decided again (refused, if it must
    be), never let through on a stale copy."""
    await deps.enforce(ctx, KEY, "post_check_in", "contract", contract_id)
    checkin_id = deps.new_id(ctx, "checkin", idempotency_key)
    for attempt in range(3):
        loaded = await deps.contracts.load(ctx.tenant_id, contract_id, use_cache=attempt == 0)
        if not loaded.state.exists:
            raise NotFound("there is no such contract")
        events = domain.post(loaded.state, contract_id, ctx.actor.id, text, mood, small_win,
                             goal_id, experiment_id)
        await _check_link(deps, ctx, contract_id, goal_id, experiment_id)
        try:
            result = await deps.checkins.create(ctx.tenant_id, checkin_id, events, ctx,
                                                idempotency_key, on=loaded)
        except ConcurrencyError:
            if attempt == 2:
                raise
            continue
        return Written(checkin_id, result.position)
    raise AssertionError("unreachable")


async def acknowledge(deps: Engagement, ctx: CommandContext, contract_id: str, checkin_id: str,
                      kind: Literal["like", "question"], question: str | None) -> Written:
    await deps.enforce(ctx, KEY, "acknowledge_check_in", "checkin", checkin_id)
    contract = await deps.contract(ctx.tenant_id, contract_id)
    position = await deps.checkins.execute_position(
        ctx.tenant_id, checkin_id,
        lambda s: domain.acknowledge(s, contract, contract_id, ctx.actor.id, kind, question), ctx)
    return Written(checkin_id, position)
