"""The in-app inbox: every notification queued, in its recipient's inbox at once, read when its
recipient reads it. Rows hold references and sealed values only (``topic``, ``excerpt``: the
cause's content, sealed under its owner's key), opened for the recipient when read. Each new
row is announced on commit (``pg_notify``) for the live streams (:mod:`..app.live`).

The reactions store a notification's row themselves, in the transaction that decides it
(:mod:`..app.telling`): a row is readable as soon as its cause is handled. This projection of
notify's own stream applies reads, and stores the row of a ``NotificationQueued`` whose row is
missing (a rebuild of the inbox); it decodes only those.

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
SEQ_LOCK = 7231309  # held to commit by every transaction that adds inbox rows (migration 0004)
COLUMNS = ("$2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[],"
           " $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],"
           " $14::jsonb[], $15::jsonb[]")
ROW = "t, n, u, k, c, o, a, ap, ct, sp, it, l, tp, ex"  # of COLUMNS, in order


def store(source: str) -> str:
    """The CTEs storing the rows of ``source`` (columns named as :data:`ROW`) that the inbox
    keeps (not a forgotten person's, not where ``in_app`` is off), announcing each recipient
    with new rows once ($1: the live channel), on commit. Run after :func:`lock_seq`."""
    return (
        "stored AS (INSERT INTO inbox (tenant_id, notification_id, recipient_id, seq, kind,"
        " cause_type, occurred_at, actor_id, actor_pseudonym, contract_id, space_id, item_id,"
        " link, topic, excerpt)"
        " SELECT r.t, r.n, r.u, nextval('inbox_seq'), r.k, r.c, r.o, r.a, r.ap, r.ct, r.sp,"
        f" r.it, r.l, r.tp, r.ex FROM {source} r"
        " WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.tenant_id = r.t"
        " AND p.user_id = r.u AND p.status = 'forgotten')"
        " AND NOT EXISTS (SELECT 1 FROM trust_policies o WHERE o.tenant_id = r.t"
        " AND NOT (o.policy->'notify.channels') ? 'in_app')"
        " ON CONFLICT DO NOTHING RETURNING tenant_id, recipient_id, seq),"
        " announced AS (SELECT pg_notify($1, tenant_id || ':' || recipient_id || ':' ||"
        " max(seq)) FROM stored GROUP BY tenant_id, recipient_id)")


async def lock_seq(conn: asyncpg.Connection) -> None:
    """Rows take their seq in commit order: a live stream that has sent seq 90 never finds a
    row of seq 80 committed after it."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", SEQ_LOCK)


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
        """The rows missing of a batch's notifications (those the reactions stored are there)
        in one statement."""
        there = {r["notification_id"] for r in await conn.fetch(
            "SELECT notification_id FROM inbox i JOIN unnest($1::text[], $2::text[]) AS w(t, n)"
            " ON i.tenant_id = w.t AND i.notification_id = w.n",
            [e.tenant_id for e in events], [e.aggregate_id for e in events])}
        rows: list[tuple[Any, ...]] = []
        for event in events:
            if event.aggregate_id not in there:
                self.decoded(event)
                rows.append(self._row(event, event.of(ev.NotificationQueued)))
        if not rows:
            return
        await lock_seq(conn)
        await conn.execute(
            f"WITH r AS (SELECT * FROM unnest({COLUMNS}) AS r({ROW})), {store('r')}"
            " SELECT count(*) FROM announced",
            CHANNEL, *[list(column) for column in zip(*rows, strict=True)])

    @staticmethod
    def _row(event: RecordedEvent, e: ev.NotificationQueued) -> tuple[Any, ...]:
        return (event.tenant_id, event.aggregate_id, e.recipient_id, e.kind, e.cause_type,
                e.occurred_at, e.actor_id, e.actor_pseudonym, e.contract_id, e.space_id,
                e.item_id, e.link, kept(e.topic), kept(e.excerpt))

    async def on_notification_queued(self, conn: asyncpg.Connection,
                                     event: RecordedEvent) -> None:
        await self._queued(conn, [event])

    async def on_notification_read(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await conn.execute("UPDATE inbox SET read_at = $3 WHERE tenant_id = $1"
                           " AND notification_id = $2 AND read_at IS NULL", event.tenant_id,
                           event.aggregate_id, event.envelope.occurred_at)
