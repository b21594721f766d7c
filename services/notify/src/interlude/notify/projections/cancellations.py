"""What identity's events cancel: an organisation that takes e-mail or webhooks out of
``notify.channels`` has what is queued on that channel cancelled at once (not sent later), and
a forgotten or deactivated person's queued e-mail is dropped (the sender looks again when it
falls due: the deactivation may reach this consumer after the e-mail was queued). Each
cancelled e-mail owes a ``NotificationCancelled``. Only what was queued before the event is
touched, so a rebuild that replays an old switch-off cancels nothing queued since."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from interlude.notify.adapters import due_work
from interlude.notify.domain.events import CancelReason
from interlude.notify.projections.outbox import EMAIL, WEBHOOK, owe, pending_email, settle
from interlude.shared.events import published
from interlude.shared.policy import SecurityPolicy
from interlude.shared.projections.base import Projection, RecordedEvent

FOREVER = datetime.max.replace(tzinfo=UTC)


async def cancel_email(conn: asyncpg.Connection, tenant_id: str, notification_ids: list[str],
                       reason: str, event_time: datetime) -> None:
    for row in await settle(conn, tenant_id, notification_ids, "cancelled"):
        nid = row["notification_id"]
        await owe(conn, key=f"{nid}:email:cancelled", tenant_id=tenant_id,
                  aggregate="notification", aggregate_id=nid,
                  type="notify.NotificationCancelled",
                  payload={"channel": EMAIL, "recipient_id": row["recipient_id"],
                           "reason": reason}, now=event_time)


class Cancellations(Projection):
    name = "notify-cancellations"
    tables = ()
    reads = (published.identity,)
    handles = ("identity.SecurityPolicyChanged", "identity.SubjectForgotten",
               "identity.UserDeactivated")

    async def on_security_policy_changed(self, conn: asyncpg.Connection,
                                         event: RecordedEvent) -> None:
        e = event.of(published.SecurityPolicyChanged)
        channels = SecurityPolicy.from_wire(e.policy).notify_channels
        tenant, at = event.tenant_id, event.envelope.occurred_at
        if EMAIL not in channels:
            await cancel_email(conn, tenant, await pending_email(conn, tenant, before=at),
                               "policy", at)
            if not await pending_email(conn, tenant, before=FOREVER):  # none queued since
                await due_work.cancel(conn, tenant_id=tenant, kind=EMAIL, reason="policy",
                                      now=at)
        if WEBHOOK not in channels:
            await conn.execute(
                "UPDATE webhook_deliveries SET status = 'cancelled', updated_at = $2"
                " WHERE tenant_id = $1 AND status = 'pending' AND created_at <= $2", tenant, at)
            if not await conn.fetchval("SELECT count(*) FROM webhook_deliveries WHERE"
                                       " tenant_id = $1 AND status = 'pending'", tenant):
                await due_work.cancel(conn, tenant_id=tenant, kind=WEBHOOK, reason="policy",
                                      now=at)

    async def on_subject_forgotten(self, conn: asyncpg.Connection,
                                   event: RecordedEvent) -> None:
        await _cancel_theirs(conn, event, event.of(published.SubjectForgotten).subject_id,
                             "erased")

    async def on_user_deactivated(self, conn: asyncpg.Connection,
                                  event: RecordedEvent) -> None:
        await _cancel_theirs(conn, event, event.of(published.UserDeactivated).user_id,
                             "deactivated")


async def _cancel_theirs(conn: asyncpg.Connection, event: RecordedEvent, person: str,
                         reason: CancelReason) -> None:
    """``person``'s e-mail queued before ``event`` cancelled, and their timers with it when
    nothing of theirs was queued since."""
    tenant, at = event.tenant_id, event.envelope.occurred_at
    queued = await pending_email(conn, tenant, before=at, recipient_id=person)
    await cancel_email(conn, tenant, queued, reason, at)
    if not await pending_email(conn, tenant, before=FOREVER, recipient_id=person):
        await due_work.cancel(conn, tenant_id=tenant, kind=EMAIL, reason=reason, now=at,
                              where={"recipient_id": person})
