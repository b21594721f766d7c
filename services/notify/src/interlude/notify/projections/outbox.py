"""What goes out beyond the inbox: for each ``NotificationQueued``, the e-mail (when the
recipient's preferences and the organisation's policy let it go, at the time the quiet hours
and digests allow) and a delivery per subscribed webhook endpoint, each with its durable timer
in ``due_work``. Scheduling is idempotent by row and by ``work_id``; the rows are not emptied by
a rebuild (a replay finds them there and schedules nothing twice, so nothing is sent again).

Also the SQL the senders run over these rows, and ``owed_events``: the events a sender decided
in its transaction, appended to the stream afterwards."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

import asyncpg

from interlude.notify.adapters import due_work
from interlude.notify.domain.delivery import email_due
from interlude.notify.domain.events import NotificationQueued, registry
from interlude.notify.projections import preferences, webhooks
from interlude.notify.projections.policies import notify_policy
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.sealed import kept

EMAIL, WEBHOOK = "email", "webhook"


def email_work_id(tenant_id: str, notification_id: str) -> str:
    """One timer per notification. The first of a recipient's timers to fire takes everything
    of theirs that is due (``take_batch``), so what falls due together goes in one message and
    the other timers find nothing left."""
    return f"email:{tenant_id}:{notification_id}"


def delivery_id(endpoint_id: str, notification_id: str) -> str:
    return hashlib.sha256(f"{endpoint_id}\x1f{notification_id}".encode()).hexdigest()[:32]


def detail(event: RecordedEvent, e: NotificationQueued) -> str:
    """References only; topic and excerpt stay sealed under their owner's key."""
    return json.dumps({
        "cause_id": e.cause_id, "cause_type": e.cause_type, "actor_id": e.actor_id,
        "actor_pseudonym": e.actor_pseudonym, "contract_id": e.contract_id,
        "space_id": e.space_id, "item_id": e.item_id, "link": e.link,
        "occurred_at": e.occurred_at.isoformat(),
        "topic": json.loads(kept(e.topic) or "null"),
        "excerpt": json.loads(kept(e.excerpt) or "null")})


class Outbox(Projection):
    name = "notify-outbox"
    tables = ()  # never emptied: see the module's docstring
    reads = (registry,)
    handles = ("notify.NotificationQueued",)

    async def on_notification_queued(self, conn: asyncpg.Connection,
                                     event: RecordedEvent) -> None:
        e = event.of(NotificationQueued)
        tenant, nid, now = event.tenant_id, event.aggregate_id, event.envelope.occurred_at
        if await conn.fetchval("SELECT true FROM retention WHERE tenant_id = $1"
                               " AND expired_before > $2", tenant, e.occurred_at):
            return  # removed by the retention job: a replay sends nothing again
        policy = await notify_policy(conn, tenant)  # unknown yet: the sender decides at send
        facts = detail(event, e)
        if policy is None or policy.allows(EMAIL):
            when = await preferences.when(conn, tenant, e.recipient_id, e.kind)
            due = email_due(now, when, e.quiet_hours)
            if due is not None and await conn.fetchval(
                    "INSERT INTO outbox (tenant_id, notification_id, recipient_id, kind, due_at,"
                    " queued_at, detail) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)"
                    " ON CONFLICT DO NOTHING RETURNING true", tenant, nid, e.recipient_id,
                    e.kind, due, now, facts):
                await due_work.schedule(conn, work_id=email_work_id(tenant, nid),
                                        tenant_id=tenant, kind=EMAIL, due_at=due,
                                        payload={"recipient_id": e.recipient_id})
        if policy is None or policy.allows(WEBHOOK):
            for endpoint_id in await webhooks.subscribed(conn, tenant, e.kind):
                await queue_webhook(conn, tenant, endpoint_id, nid, e.kind, facts, now)


async def queue_webhook(conn: asyncpg.Connection, tenant_id: str, endpoint_id: str,
                        notification_id: str, kind: str, facts: str, now: datetime) -> None:
    delivery = delivery_id(endpoint_id, notification_id)
    if await conn.fetchval(
            "INSERT INTO webhook_deliveries (tenant_id, delivery_id, endpoint_id, notification_id,"
            " kind, detail, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $7)"
            " ON CONFLICT DO NOTHING RETURNING true", tenant_id, delivery, endpoint_id,
            notification_id, kind, facts, now):
        await due_work.schedule(conn, work_id=f"webhook:{delivery}:0", tenant_id=tenant_id,
                                kind=WEBHOOK, due_at=now, payload={"delivery_id": delivery})


async def owe(conn: asyncpg.Connection, *, key: str, tenant_id: str, aggregate: str,
              aggregate_id: str, type: str, payload: dict[str, Any], now: datetime) -> None:
    """An event to append once this transaction commits (by :mod:`..app.owed`)."""
    await conn.execute(
        "INSERT INTO owed_events (key, tenant_id, aggregate, aggregate_id, type, payload,"
        " created_at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) ON CONFLICT DO NOTHING",
        key, tenant_id, aggregate, aggregate_id, type, json.dumps(payload), now)


async def take_batch(conn: asyncpg.Connection, tenant_id: str, recipient_id: str,
                     batch_id: str, now: datetime) -> list[dict[str, Any]]:
    """The notifications of one message: those already given ``batch_id`` (a retry sends the
    same message again), else every pending one of the recipient that is due by ``now``."""
    columns = "notification_id, kind, detail, queued_at"
    rows = await conn.fetch(f"SELECT {columns} FROM outbox WHERE batch_id = $1"
                            " AND status = 'pending' ORDER BY queued_at, notification_id",
                            batch_id)
    if not rows:
        rows = await conn.fetch(
            f"UPDATE outbox SET batch_id = $3 WHERE tenant_id = $1 AND recipient_id = $2"
            f" AND status = 'pending' AND batch_id IS NULL AND due_at <= $4"
            f" RETURNING {columns}", tenant_id, recipient_id, batch_id, now)
    return sorted((dict(r) for r in rows), key=lambda r: (r["queued_at"], r["notification_id"]))


async def settle(conn: asyncpg.Connection, tenant_id: str, notification_ids: list[str],
                 status: str) -> list[dict[str, Any]]:
    """Mark pending rows ``status``; answers those it changed (recipient and id)."""
    return [dict(r) for r in await conn.fetch(
        "UPDATE outbox SET status = $3 WHERE tenant_id = $1 AND notification_id = ANY($2)"
        " AND status = 'pending' RETURNING notification_id, recipient_id, batch_id",
        tenant_id, notification_ids, status)]


async def pending_email(conn: asyncpg.Connection, tenant_id: str, *, before: datetime,
                        recipient_id: str | None = None) -> list[str]:
    return [r["notification_id"] for r in await conn.fetch(
        "SELECT notification_id FROM outbox WHERE tenant_id = $1 AND status = 'pending'"
        " AND queued_at <= $2 AND ($3::text IS NULL OR recipient_id = $3)",
        tenant_id, before, recipient_id)]
