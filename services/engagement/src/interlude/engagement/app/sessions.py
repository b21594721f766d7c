"""Sessions of a contract's plan: schedule, reschedule, cancel, mark held."""

from __future__ import annotations

from datetime import datetime

from interlude.engagement.app.contracts import on_contract
from interlude.engagement.app.deps import Engagement, Written
from interlude.engagement.domain import contract as domain
from interlude.engagement.domain.terms import Mode
from interlude.shared.events.envelope import CommandContext
from interlude.shared.events.registry import Event


async def schedule(deps: Engagement, ctx: CommandContext, contract_id: str, *,
                   starts_at: datetime, minutes: int | None, mode: Mode | None,
                   idempotency_key: str | None = None) -> Written:
    session_id = deps.new_id(ctx, "session", idempotency_key)

    def decide(state: domain.Contract) -> list[Event]:
        if any(s.session_id == session_id for s in state.sessions):
            return []  # a retried request: scheduled already
        return domain.schedule(state, ctx.actor.id, session_id, starts_at, minutes, mode,
                               ctx.now)

    written = await on_contract(deps, ctx, contract_id, decide, idempotency_key)
    return Written(session_id, written.position)


async def reschedule(deps: Engagement, ctx: CommandContext, contract_id: str, session_id: str,
                     starts_at: datetime) -> Written:
    written = await on_contract(deps, ctx, contract_id, lambda s: domain.reschedule(
        s, ctx.actor.id, session_id, starts_at, ctx.now))
    return Written(session_id, written.position)


async def cancel(deps: Engagement, ctx: CommandContext, contract_id: str, session_id: str,
                 reason: str | None) -> Written:
    written = await on_contract(deps, ctx, contract_id, lambda s: domain.cancel(
        s, contract_id, ctx.actor.id, session_id, reason))
    return Written(session_id, written.position)


async def mark_held(deps: Engagement, ctx: CommandContext, contract_id: str,
                    session_id: str) -> Written:
    written = await on_contract(deps, ctx, contract_id, lambda s: domain.mark_held(
        s, ctx.actor.id, session_id, ctx.now))
    return Written(session_id, written.position)
