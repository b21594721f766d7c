"""The in-app inbox: every notification queued, in its recipient's inbox at once, read when its
recipient reads it. Rows hold references and sealed values only (``topic``, ``excerpt``: the
cause's content, sealed under its owner's key), opened for the recipient when read. Each new
row is announced on commit (``pg_notify``) for the live streams (:mod:`..app.live`).

An organisation whose ``notify.channels`` lacks ``in_app`` keeps no inbox: what is queued
while it is off is not kept (it may still go by e-mail), and a forgotten person's inbox stays
empty even when notify's stream is replayed."""

from __future__ import annotations

from typing import Any

import asyncpg

from interlude.notify.app.live import CHANNEL
from interlude.notify.domain import events as ev
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.sealed import kept

NAME = "notify-inbox"


class Inbox(Projection):
    name = NAME
    tables = ("inbox",)
    reads = (ev.registry,)
    handles = ("notify.NotificationQueued", "notify.NotificationRead")

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        queued = [e for e in events if e.type == "notify.NotificationQueued"]
        if queued:
            await self._queued(conn, queued)
        for event in events:
            if event.type == "notify.NotificationRead":
                await self.on_notification_read(conn, event)

    async def _queued(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        """A batch's notifications in one statement, and one announcement per recipient."""
        tenants = list({e.tenant_id for e in events})
        no_inbox = {r["tenant_id"] for r in await conn.fetch(
            "SELECT tenant_id FROM trust_policies WHERE tenant_id = ANY($1)"
            " AND NOT (policy->'notify.channels') ? 'in_app'", tenants)}
        rows: list[tuple[Any, ...]] = []
        for event in events:
            if event.tenant_id not in no_inbox:
                self.decoded(event)
                rows.append(self._row(event, event.of(ev.NotificationQueued)))
        if not rows:
            return
        stored = await conn.fetch(
            "INSERT INTO inbox (tenant_id, notification_id, recipient_id, seq, kind,"
            " cause_type, occurred_at, actor_id, actor_pseudonym, contract_id, space_id,"
            " item_id, link, topic, excerpt)"
            " SELECT r.* FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[],"
            " $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[], $10::text[],"
            " $11::text[], $12::text[], $13::text[], $14::jsonb[], $15::jsonb[])"
            " AS r(t, n, u, s, k, c, o, a, ap, ct, sp, it, l, tp, ex)"
            " WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.tenant_id = r.t"
            " AND p.user_id = r.u AND p.status = 'forgotten')"
            " ON CONFLICT DO NOTHING RETURNING tenant_id, recipient_id, seq",
            *[list(column) for column in zip(*rows, strict=True)])
        announced = {f"{r['tenant_id']}:{r['recipient_id']}": r["seq"] for r in stored}
        if announced:
            await conn.execute("SELECT pg_notify($1, k || ':' || v) FROM unnest($2::text[],"
                               " $3::bigint[]) AS a(k, v)", CHANNEL, list(announced),
                               list(announced.values()))

    @staticmethod
    def _row(event: RecordedEvent, e: ev.NotificationQueued) -> tuple[Any, ...]:
        # one position per commit, one notification per commit: the position orders them
        return (event.tenant_id, event.aggregate_id, e.recipient_id,
                event.position * 16 + event.index, e.kind, e.cause_type, e.occurred_at,
                e.actor_id, e.actor_pseudonym, e.contract_id, e.space_id, e.item_id, e.link,
                kept(e.topic), kept(e.excerpt))

    async def on_notification_queued(self, conn: asyncpg.Connection,
                                     event: RecordedEvent) -> None:
        await self._queued(conn, [event])

    async def on_notification_read(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await conn.execute("UPDATE inbox SET read_at = $3 WHERE tenant_id = $1"
                           " AND notification_id = $2 AND read_at IS NULL", event.tenant_id,
                           event.aggregate_id, event.envelope.occurred_at)


