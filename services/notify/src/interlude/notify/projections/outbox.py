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
from interlude.notify.projections.policies import notify_policies
from interlude.notify.projections.queries import expired_before
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

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        """A batch's notifications scheduled together: what deciding needs (the retention
        job's mark, each organisation's policy, each recipient's preferences, the endpoints
        subscribed to each kind) read once per batch, the e-mails, the webhook deliveries and
        their timers written one statement each. A notification at a time cost six round
        trips to PostgreSQL, and a burst of them left e-mail far behind the inbox."""
        mine = [e for e in events if e.type == NotificationQueued.type_name]
        for event in mine:
            self.decoded(event)
        queued = [(e, e.of(NotificationQueued)) for e in mine]
        if not queued:
            return
        tenants = list({e.tenant_id for e, _ in queued})
        expired = await expired_before(conn, tenants)
        # removed by the retention job: a replay sends nothing again
        queued = [(e, q) for e, q in queued
                  if q.occurred_at >= expired.get(e.tenant_id, q.occurred_at)]
        policies = await notify_policies(conn, tenants)  # unknown yet: the sender decides
        emailed = [(e, q) for e, q in queued if (p := policies.get(e.tenant_id)) is None
                   or p.allows(EMAIL)]
        prefs = await preferences.preferences_of(
            conn, list({(e.tenant_id, q.recipient_id) for e, q in emailed}))
        mails = []
        for e, q in emailed:
            at = e.envelope.occurred_at
            due = email_due(at, preferences.when(prefs[e.tenant_id, q.recipient_id], q.kind),
                            q.quiet_hours)
            if due is not None:
                mails.append((e.tenant_id, e.aggregate_id, q.recipient_id, q.kind, due, at,
                               detail(e, q)))
        hooked = [(e, q) for e, q in queued if (p := policies.get(e.tenant_id)) is None
                  or p.allows(WEBHOOK)]
        endpoints = await webhooks.subscriptions(conn, list({e.tenant_id for e, _ in hooked}))
        await schedule_emails(conn, mails)
        await queue_webhooks(conn, [
            (e.tenant_id, endpoint_id, e.aggregate_id, q.kind, detail(e, q),
             e.envelope.occurred_at)
            for e, q in hooked for endpoint_id in endpoints.get((e.tenant_id, q.kind), ())])

    async def on_notification_queued(self, conn: asyncpg.Connection,
                                     event: RecordedEvent) -> None:
        await self.apply(conn, [event])


async def schedule_emails(conn: asyncpg.Connection, mails: list[tuple[Any, ...]]) -> None:
    """Each (tenant, notification, recipient, kind, due, queued, detail) in the outbox, and
    a timer for each that was not there yet."""
    if not mails:
        return
    new = await conn.fetch(
        "INSERT INTO outbox (tenant_id, notification_id, recipient_id, kind, due_at, queued_at,"
        " detail) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],"
        " $5::timestamptz[], $6::timestamptz[], $7::jsonb[]) ON CONFLICT DO NOTHING"
        " RETURNING tenant_id, notification_id, recipient_id, due_at",
        *[list(c) for c in zip(*mails, strict=True)])
    await due_work.schedule_many(conn, [
        (email_work_id(r["tenant_id"], r["notification_id"]), r["tenant_id"], EMAIL,
         r["due_at"], {"recipient_id": r["recipient_id"]}) for r in new])


async def queue_webhooks(conn: asyncpg.Connection, deliveries: list[tuple[Any, ...]]) -> None:
    """Each (tenant, endpoint, notification, kind, detail, now) a delivery, due at once; one
    there already is left as it is."""
    if not deliveries:
        return
    new = await conn.fetch(
        "INSERT INTO webhook_deliveries (tenant_id, delivery_id, endpoint_id, notification_id,"
        " kind, detail, created_at, updated_at) SELECT t, d, e, n, k, f, at, at"
        " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],"
        " $6::jsonb[], $7::timestamptz[]) AS w(t, d, e, n, k, f, at)"
        " ON CONFLICT DO NOTHING RETURNING tenant_id, delivery_id, created_at",
        [d[0] for d in deliveries], [delivery_id(d[1], d[2]) for d in deliveries],
        *[list(c) for c in zip(*deliveries, strict=True)][1:])
    await due_work.schedule_many(conn, [
        (f"webhook:{r['delivery_id']}:0", r["tenant_id"], WEBHOOK, r["created_at"],
         {"delivery_id": r["delivery_id"]}) for r in new])


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
