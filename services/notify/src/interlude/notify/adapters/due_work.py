"""Durable timers: a table of work that falls due later, claimed with a lease.

A worker claims due rows (``FOR UPDATE SKIP LOCKED``, so replicas share the work), does them,
and marks them done; a worker that dies mid-way leaves its rows claimed until the lease runs
out, when another takes them. Scheduling is idempotent by ``work_id``, so a replayed event
schedules nothing twice. Time is the caller's (``now``), so tests can drive it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg


@dataclass(frozen=True)
class DueWork:
    work_id: str
    tenant_id: str
    kind: str
    due_at: datetime
    payload: dict[str, Any]
    attempts: int  # including this one


async def schedule(conn: asyncpg.Connection | asyncpg.Pool, *, work_id: str, tenant_id: str,
                   kind: str, due_at: datetime, payload: dict[str, Any] | None = None) -> bool:
    """Schedule ``work_id`` at ``due_at``; False when it was scheduled already."""
    status = await conn.execute(
        "INSERT INTO due_work (work_id, tenant_id, kind, due_at, payload)"
        " VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (work_id) DO NOTHING",
        work_id, tenant_id, kind, due_at, json.dumps(payload or {}))
    return bool(status.endswith(" 1"))


async def schedule_many(conn: asyncpg.Connection, work: list[tuple[str, str, str, datetime,
                                                                   dict[str, Any]]]) -> None:
    """Schedule each (work_id, tenant_id, kind, due_at, payload) in one statement; one there
    already is left as it is."""
    if work:
        await conn.execute(
            "INSERT INTO due_work (work_id, tenant_id, kind, due_at, payload)"
            " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[],"
            " $5::jsonb[]) ON CONFLICT (work_id) DO NOTHING",
            *[list(c) for c in zip(*work, strict=True)][:4],
            [json.dumps(w[4]) for w in work])


async def claim(pool: asyncpg.Pool, kind: str, *, now: datetime, limit: int = 100,
                lease: timedelta = timedelta(minutes=2)) -> list[DueWork]:
    """Take up to ``limit`` rows of ``kind`` due by ``now`` for ``lease``."""
    rows = await pool.fetch(
        "UPDATE due_work SET claimed_until = $3, attempts = attempts + 1"
        " WHERE work_id IN (SELECT work_id FROM due_work WHERE kind = $1 AND due_at <= $2"
        "  AND done_at IS NULL AND cancelled_at IS NULL"
        "  AND (claimed_until IS NULL OR claimed_until < $2)"
        "  ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED)"
        " RETURNING work_id, tenant_id, kind, due_at, payload, attempts",
        kind, now, now + lease, limit)
    return [DueWork(r["work_id"], r["tenant_id"], r["kind"], r["due_at"],
                    json.loads(r["payload"]), r["attempts"]) for r in rows]


async def done(conn: asyncpg.Connection | asyncpg.Pool, work_id: str, *, now: datetime) -> None:
    await conn.execute("UPDATE due_work SET done_at = $2, claimed_until = NULL"
                       " WHERE work_id = $1", work_id, now)


async def again_at(conn: asyncpg.Connection | asyncpg.Pool, work_id: str,
                   due_at: datetime) -> None:
    """Release a claimed row to be tried again at ``due_at`` (a retry with backoff)."""
    await conn.execute("UPDATE due_work SET due_at = $2, claimed_until = NULL"
                       " WHERE work_id = $1 AND done_at IS NULL", work_id, due_at)


async def cancel(conn: asyncpg.Connection | asyncpg.Pool, *, tenant_id: str, kind: str,
                 reason: str, now: datetime, where: dict[str, Any] | None = None) -> int:
    """Cancel the tenant's pending rows of ``kind`` (whose payload contains ``where``)."""
    status = await conn.execute(
        "UPDATE due_work SET cancelled_at = $4, cancel_reason = $3, claimed_until = NULL"
        " WHERE tenant_id = $1 AND kind = $2 AND done_at IS NULL AND cancelled_at IS NULL"
        " AND payload @> $5::jsonb", tenant_id, kind, reason, now, json.dumps(where or {}))
    return int(status.split()[-1])


async def next_due(pool: asyncpg.Pool, kind: str) -> datetime | None:
    """When the earliest pending row of ``kind`` falls due (to sleep until then)."""
    value: datetime | None = await pool.fetchval(
        "SELECT min(due_at) FROM due_work WHERE kind = $1 AND done_at IS NULL"
        " AND cancelled_at IS NULL", kind)
    return value
