"""Messages between coach and coachee, metered by the contract's allowance."""

from __future__ import annotations

from interlude.engagement.app.deps import Engagement, Written
from interlude.engagement.domain import events as ev
from interlude.engagement.domain import thread as domain
from interlude.shared.events.envelope import CommandContext

KEY = "messaging.enabled"


async def send(deps: Engagement, ctx: CommandContext, contract_id: str, *, body: str,
               attachments: tuple[ev.Attachment, ...] = (),
               idempotency_key: str | None = None) -> Written:
    await deps.enforce(ctx, KEY, "send_message", "thread", contract_id)
    if attachments:
        await deps.enforce(ctx, "messaging.attachments", "send_message", "thread", contract_id)
    contract = await deps.contract(ctx.tenant_id, contract_id)
    message_id = deps.new_id(ctx, "message", idempotency_key)
    result = await deps.threads.execute(
        ctx.tenant_id, contract_id,
        lambda s: domain.send(s, contract, contract_id, ctx.actor.id, message_id, body,
                              attachments, ctx.now), ctx, idempotency_key)
    assert result is not None
    return Written(message_id, result.position)


async def mark_read(deps: Engagement, ctx: CommandContext, contract_id: str,
                    up_to: int) -> Written:
    await deps.enforce(ctx, KEY, "read_messages", "thread", contract_id)
    contract = await deps.contract(ctx.tenant_id, contract_id)
    position = await deps.threads.execute_position(
        ctx.tenant_id, contract_id,
        lambda s: domain.read(s, contract, contract_id, ctx.actor.id, up_to), ctx)
    return Written(contract_id, position)


async def thread_state(deps: Engagement, tenant_id: str, contract_id: str) -> domain.Thread:
    return (await deps.threads.load(tenant_id, contract_id)).state
