"""The recipient's commands on their inbox: read one, read them all. Each is an event on the
notification (``NotificationRead``), so the delivery side and the audit trail see it too."""

from __future__ import annotations

from interlude.notify.app.deps import Notify, Written
from interlude.notify.domain import notification
from interlude.notify.projections import queries
from interlude.shared.events.envelope import CommandContext

READ_ALL_AT_ONCE = 1000  # a request reads at most this many; the answer says how many


async def mark_read(deps: Notify, ctx: CommandContext, notification_id: str) -> Written:
    await deps.enforce_in_app(ctx, "read_notification", notification_id)
    position = await deps.notifications.execute_position(
        ctx.tenant_id, notification_id, lambda n: notification.read(n, ctx.actor.id), ctx)
    return Written(notification_id, position)


async def read_all(deps: Notify, ctx: CommandContext) -> tuple[int, int]:
    """Every unread notification of the caller read: (how many, the position to read after)."""
    await deps.enforce_in_app(ctx, "read_all_notifications", ctx.actor.id)
    position, count = 0, 0
    for notification_id in await queries.unread_ids(deps.pool, ctx.tenant_id, ctx.actor.id,
                                                    READ_ALL_AT_ONCE):
        result = await deps.notifications.execute(
            ctx.tenant_id, notification_id, lambda n: notification.read(n, ctx.actor.id), ctx)
        if result is not None:
            position, count = max(position, result.position), count + 1
    return count, position
