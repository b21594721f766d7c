"""The in-app inbox: every notification queued, in its recipient's inbox at once, read when its
recipient reads it. Rows hold references and sealed values only (``topic``, ``excerpt``: the
cause's content, sealed under its owner's key), opened for the recipient when read. Each new
row is announced on commit (``pg_notify``) for the live streams (:mod:`..app.live`).

The reactions keep a notification's row themselves, in the transaction that queues it
(:mod:`..app.telling`): it is readable when its cause's checkpoint commits. This projection of
notify's stream applies reads, and keeps the rows still missing (a rebuild of the inbox): it
decodes only those. Whoever stores rows holds :func:`lock_seq` until commit, so rows commit in
the order of their ``seq`` (the stream position), the order a live stream follows.

An organisation whose ``notify.channels`` lacks ``in_app`` keeps no inbox: what is queued
while it is off is not kept (it may still go by e-mail), and a forgotten person's inbox stays
empty even when notify's stream is replayed; nor is a notification kept again that the
retention job removed (:mod:`..app.retention`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from interlude.notify.app.live import CHANNEL
from interlude.notify.domain import events as ev
from interlude.notify.projections.queries import expired_before
from interlude.shared.db import plan_for_arguments
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.sealed import kept

NAME = "notify-inbox"
MANY = 100  # a batch of as many events or more has its statements planned for its arrays
SEQ_LOCK = 7231309  # held to commit by every transaction that stores inbox rows
LOCK_SEQ = f"pg_advisory_xact_lock({SEQ_LOCK})"  # to take it within another statement


def seq(position: int, index: int) -> int:
    """A row's place: one notification per commit, so the stream position orders them."""
    return position * 16 + index


async def lock_seq(conn: asyncpg.Connection) -> None:
    """Taken before a notification's position is known (its append) and held to commit: a
    live stream that has sent seq 90 never finds a row of seq 80 committed after it."""
    await conn.execute(f"SELECT {LOCK_SEQ}")


async def wait_for_seq(conn: asyncpg.Connection) -> None:
    """Wait until whoever holds :func:`lock_seq` has committed, without holding it on."""
    await conn.execute("SELECT pg_advisory_lock($1), pg_advisory_unlock($1)", SEQ_LOCK)


async def store(conn: asyncpg.Connection, rows: list[tuple[Any, ...]],
                read_at: Sequence[datetime | None] | None = None) -> None:
    """``rows`` (columns as :meth:`Inbox._row`) in one statement: what an organisation without
    ``in_app`` or a forgotten person keeps no row of is left out, a row there already is left
    as it is, and each recipient with new rows is announced once (sent on commit).
    ``read_at``: when each was read, for rows stored already read (a rebuild)."""
    if not rows:
        return
    await conn.execute(
        "WITH stored AS (INSERT INTO inbox (tenant_id, notification_id, recipient_id, seq,"
        " kind, cause_type, occurred_at, actor_id, actor_pseudonym, contract_id, space_id,"
        " item_id, link, topic, excerpt, read_at)"
        " SELECT r.* FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[],"
        " $6::text[], $7::text[], $8::timestamptz[], $9::text[], $10::text[], $11::text[],"
        " $12::text[], $13::text[], $14::text[], $15::jsonb[], $16::jsonb[],"
        " $17::timestamptz[]) AS r(t, n, u, s, k, c, o, a, ap, ct, sp, it, l, tp, ex, rd)"
        " WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.tenant_id = r.t"
        " AND p.user_id = r.u AND p.status = 'forgotten')"
        " AND NOT EXISTS (SELECT 1 FROM trust_policies o WHERE o.tenant_id = r.t"
        " AND NOT (o.policy->'notify.channels') ? 'in_app')"
        " ON CONFLICT DO NOTHING RETURNING tenant_id, recipient_id, seq)"
        " SELECT pg_notify($1, tenant_id || ':' || recipient_id || ':' || max(seq))"
        " FROM stored GROUP BY tenant_id, recipient_id",
        CHANNEL, *[list(column) for column in zip(*rows, strict=True)],
        list(read_at) if read_at is not None else [None] * len(rows))


def reads(events: list[RecordedEvent]
          ) -> tuple[dict[tuple[str, str], datetime], list[RecordedEvent]]:
    """A batch's reads: when each notification queued in the batch was first read after it
    (stored read, should the batch store it), and the reads :meth:`Inbox._read` applies to
    rows there already (it skips rows read). A read before its notification was queued
    finds no row, as it would one event at a time."""
    later = {(e.tenant_id, e.aggregate_id) for e in events
             if e.type == "notify.NotificationQueued"}
    queued: set[tuple[str, str]] = set()
    first: dict[tuple[str, str], datetime] = {}
    others: list[RecordedEvent] = []
    for event in events:
        key = (event.tenant_id, event.aggregate_id)
        if event.type == "notify.NotificationQueued":
            queued.add(key)
        elif event.type == "notify.NotificationRead":
            if key in queued:  # stored read if the batch stores it; read anyway if not
                first.setdefault(key, event.envelope.occurred_at)
            if key in queued or key not in later:
                others.append(event)
    return first, others


class Inbox(Projection):
    name = NAME
    tables = ("inbox",)
    reads = (ev.registry,)
    handles = ("notify.NotificationQueued", "notify.NotificationRead")

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        if len(events) >= MANY:
            await plan_for_arguments(conn)
        queued = [e for e in events if e.type == "notify.NotificationQueued"]
        first_read, read = reads(events)
        if queued:
            await self._queued(conn, queued, first_read)
        if read:
            await self._read(conn, read)

    async def _queued(self, conn: asyncpg.Connection, events: list[RecordedEvent],
                      read: dict[tuple[str, str], datetime] | None = None) -> None:
        """The rows of a batch's notifications that the reactions have not stored. A row not
        there yet may be one a reaction is about to commit (it appended, then stores): wait
        for it, look again, and store only what is still missing, under the lock. A row
        whose first read is in the same batch (``read``) is stored read: updating it after
        would write it, and each of its indexes, twice."""
        missing = await self._missing(conn, events)
        if missing:
            await wait_for_seq(conn)
            missing = await self._missing(conn, missing)
        if not missing:
            return
        await lock_seq(conn)
        expired = await expired_before(conn, list({e.tenant_id for e in missing}))
        rows, read_at, read = [], [], read or {}
        for event in missing:
            self.decoded(event)
            queued = event.of(ev.NotificationQueued)
            if queued.occurred_at >= expired.get(event.tenant_id, queued.occurred_at):
                rows.append(self._row(event, queued))
                read_at.append(read.get((event.tenant_id, event.aggregate_id)))
        await store(conn, rows, read_at)

    @staticmethod
    async def _missing(conn: asyncpg.Connection,
                       events: list[RecordedEvent]) -> list[RecordedEvent]:
        there = {r["notification_id"] for r in await conn.fetch(
            "SELECT notification_id FROM inbox i JOIN unnest($1::text[], $2::text[]) AS w(t, n)"
            " ON i.tenant_id = w.t AND i.notification_id = w.n",
            [e.tenant_id for e in events], [e.aggregate_id for e in events])}
        return [e for e in events if e.aggregate_id not in there]

    @staticmethod
    def _row(event: RecordedEvent, e: ev.NotificationQueued) -> tuple[Any, ...]:
        return (event.tenant_id, event.aggregate_id, e.recipient_id,
                seq(event.position, event.index), e.kind, e.cause_type, e.occurred_at,
                e.actor_id, e.actor_pseudonym, e.contract_id, e.space_id, e.item_id, e.link,
                kept(e.topic), kept(e.excerpt))

    async def on_notification_queued(self, conn: asyncpg.Connection,
                                     event: RecordedEvent) -> None:
        await self._queued(conn, [event])

    async def on_notification_read(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._read(conn, [event])

    @staticmethod
    async def _read(conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        """A batch's reads in one statement (a rebuild replays one for most notifications:
        a statement each was most of its time, and fired the unread counts' trigger each
        time); the first read of a notification is the one kept, as one at a time."""
        await conn.execute(
            "UPDATE inbox i SET read_at = r.at FROM (SELECT DISTINCT ON (t, n) t, n, at"
            " FROM unnest($1::text[], $2::text[], $3::timestamptz[]) WITH ORDINALITY"
            " AS w(t, n, at, k) ORDER BY t, n, k) r WHERE i.tenant_id = r.t"
            " AND i.notification_id = r.n AND i.read_at IS NULL",
            [e.tenant_id for e in events], [e.aggregate_id for e in events],
            [e.envelope.occurred_at for e in events])
