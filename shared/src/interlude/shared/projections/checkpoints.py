"""Where each projection stands in each stream, kept in the read model's own database so that
rows and checkpoint commit together."""

from __future__ import annotations

import asyncpg

NOTIFY_CHANNEL = "interlude_projection"

SCHEMA = """
CREATE TABLE IF NOT EXISTS projection_checkpoints (
    projection text NOT NULL,
    stream text NOT NULL,
    position bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, stream)
)
"""


async def ensure_table(conn: asyncpg.Connection) -> None:
    # only where missing: IF NOT EXISTS still needs CREATE on the schema (audit_app has none)
    if await conn.fetchval("SELECT to_regclass('projection_checkpoints')") is not None:
        return
    # concurrent CREATE TABLE IF NOT EXISTS can still collide on the type; serialise it
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(7231002)")
        await conn.execute(SCHEMA)


async def ensure_row(conn: asyncpg.Connection, projection: str, stream: str,
                     like: str | None = None) -> None:
    """Create the projection's checkpoint if it has none: once, before consuming, so that the
    per-batch :func:`read` finds a row to lock. It starts at 0, or where the checkpoint
    ``like`` stands (a partition of a projection that ran unpartitioned until now)."""
    await conn.execute(
        "INSERT INTO projection_checkpoints (projection, stream, position) SELECT $1, $2,"
        " coalesce((SELECT position FROM projection_checkpoints WHERE projection = $3"
        " AND stream = $2), 0) ON CONFLICT DO NOTHING", projection, stream, like or projection)


async def read(conn: asyncpg.Connection, projection: str, stream: str,
               lock: bool = False) -> int:
    """The last position applied (0 for none). ``lock`` holds the row for this transaction,
    so two workers of one projection never apply the same batch."""
    query = "SELECT position FROM projection_checkpoints WHERE projection = $1 AND stream = $2"
    position = await conn.fetchval(query + (" FOR UPDATE" if lock else ""), projection, stream)
    return int(position or 0)


async def write(conn: asyncpg.Connection, projection: str, stream: str, position: int) -> None:
    """Move the checkpoint and tell waiting readers, both on commit of the caller's transaction."""
    await conn.execute(  # one round trip: this runs once per batch
        "WITH moved AS (UPDATE projection_checkpoints SET position = $3, updated_at = now()"
        " WHERE projection = $1 AND stream = $2 RETURNING 1)"
        " SELECT pg_notify($4, $5) FROM moved", projection, stream, position, NOTIFY_CHANNEL,
        f"{projection}:{stream}:{position}")
